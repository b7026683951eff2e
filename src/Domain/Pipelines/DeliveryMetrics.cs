namespace Cocktail.Domain.Pipelines;

/// <summary>
/// One production deploy attempt of a run: it succeeded (<see cref="PipelineDeployed"/>) or failed
/// (<see cref="PipelineDeployFailed"/>) at <see cref="At"/>. <see cref="CommittedAt"/> is the commit's time when the
/// trigger knew it; <see cref="QueuedAt"/> the run's, the start of lead time when the commit's time is unknown.
/// </summary>
public sealed record DeliveryOutcome(Guid PipelineId, Guid RunId, bool Succeeded, DateTimeOffset At, DateTimeOffset? CommittedAt, DateTimeOffset? QueuedAt);

/// <summary>One day of the window (UTC, from its start): each figure is null when the day has nothing to measure.</summary>
public sealed record DeliveryDay(
    DateOnly Day, DateTimeOffset Start, int Deployments, int Failures, double? ChangeFailureRate, double? LeadTimeMedianSeconds, double? RestoreMedianSeconds);

/// <summary>
/// The four DORA keys over a window [<see cref="From"/>, <see cref="To"/>), with a bucket per day. Durations are in
/// seconds; a figure with nothing to measure (no deploy, no restored failure) is null, never zero.
/// </summary>
public sealed record DeliveryReport(
    DateTimeOffset From, DateTimeOffset To, int Days,
    int Deployments, int Failures, int Attempts, double DeploymentsPerDay,
    int LeadTimeSamples, double? LeadTimeMedianSeconds, double? LeadTimeP90Seconds,
    double? ChangeFailureRate,
    int Restored, int OpenFailures, double? TimeToRestoreMedianSeconds,
    IReadOnlyList<DeliveryDay> Daily)
{
    public bool Empty => Attempts == 0;
}

/// <summary>
/// Deployment frequency, lead time for changes, change failure rate and time to restore, computed from production deploy
/// outcomes. Pure: the caller loads the outcomes (those at or after <c>from</c>; later successes close earlier failures).
/// </summary>
public static class DeliveryMetrics
{
    public const int MaxDays = 365;

    /// <summary>
    /// The report for [<paramref name="from"/>, <paramref name="to"/>), a whole number of days (1 to 365) cut into
    /// 24-hour buckets from <paramref name="from"/>.
    /// <list type="bullet">
    /// <item>Deployment frequency: successful production deploys, per day and in all divided by the days.</item>
    /// <item>Lead time: commit (else the run's queueing) to the successful production deploy; median and p90 (nearest rank),
    /// per day the median of that day's deploys. Without either start time a deploy has no lead time.</item>
    /// <item>Change failure rate: failed attempts / all attempts, per day and overall.</item>
    /// <item>Time to restore: for each failure in the window, the time to the next successful production deploy of the same
    /// pipeline (even after the window); median over restored failures (per day: failures of that day). A failure not
    /// followed by a success is open: counted in <see cref="DeliveryReport.OpenFailures"/>, never as zero.</item>
    /// </list>
    /// </summary>
    public static DeliveryReport Compute(IEnumerable<DeliveryOutcome> outcomes, DateTimeOffset from, DateTimeOffset to)
    {
        var span = to - from;
        if (span <= TimeSpan.Zero || span.Ticks % TimeSpan.TicksPerDay != 0 || span.TotalDays > MaxDays)
            throw new ArgumentOutOfRangeException(nameof(to), "The window is a whole number of days, 1 to 365.");
        var days = (int)span.TotalDays;
        var all = outcomes.OrderBy(o => o.At).ToList();
        var window = all.Where(o => o.At >= from && o.At < to).ToList();
        var restores = RestoreTimes(all, window);

        var daily = Enumerable.Range(0, days).Select(i =>
        {
            var start = from.AddDays(i);
            var end = start.AddDays(1);
            var today = window.Where(o => o.At >= start && o.At < end).ToList();
            var deployments = today.Count(o => o.Succeeded);
            var failures = today.Count - deployments;
            return new DeliveryDay(DateOnly.FromDateTime(start.UtcDateTime), start, deployments, failures, Rate(failures, today.Count),
                Median(today.Where(o => o.Succeeded).Select(LeadTime).OfType<double>().ToList()),
                Median(restores.Where(r => r.Failure.At >= start && r.Failure.At < end && r.Seconds is not null).Select(r => r.Seconds!.Value).ToList()));
        }).ToList();

        var succeeded = window.Count(o => o.Succeeded);
        var failed = window.Count - succeeded;
        var leadTimes = window.Where(o => o.Succeeded).Select(LeadTime).OfType<double>().ToList();
        var restored = restores.Where(r => r.Seconds is not null).Select(r => r.Seconds!.Value).ToList();
        return new DeliveryReport(from, to, days, succeeded, failed, window.Count, (double)succeeded / days,
            leadTimes.Count, Median(leadTimes), Percentile(leadTimes, 0.9), Rate(failed, window.Count),
            restored.Count, restores.Count - restored.Count, Median(restored), daily);
    }

    /// <summary>Seconds from the commit (else the queueing) to the deploy; a commit stamped after its deploy (clock skew) counts as zero.</summary>
    public static double? LeadTime(DeliveryOutcome o) =>
        (o.CommittedAt ?? o.QueuedAt) is { } start ? Math.Max(0, (o.At - start).TotalSeconds) : null;

    /// <summary>The middle value, or the mean of the two middle values; null for no values.</summary>
    public static double? Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double? Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : (double)part / whole;

    private sealed record Restore(DeliveryOutcome Failure, double? Seconds);

    private static List<Restore> RestoreTimes(List<DeliveryOutcome> all, List<DeliveryOutcome> window) =>
        window.Where(o => !o.Succeeded)
            .Select(failure => new Restore(failure,
                all.FirstOrDefault(o => o.Succeeded && o.PipelineId == failure.PipelineId && o.At > failure.At) is { } next
                    ? (next.At - failure.At).TotalSeconds
                    : null))
            .ToList();
}
