using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring.Charts;

/// <summary>
/// The time a chart covers and the step between its points: a named range ending now (1h, 6h, 24h, 7d) or a custom
/// start and end. The step keeps a chart at about <see cref="MaxPoints"/> points, so 7 days cost what 1 hour does.
/// As Thanos' and Cortex's query-frontends do, the step is a "nice" one that divides a day and the start and end are
/// multiples of it: every point falls on the same instants whoever asks and whenever, so a completed day's points can
/// be cached and reused (see <see cref="Days"/>), and a day boundary always falls on a point.
/// </summary>
public sealed record ChartRange(DateTimeOffset Start, DateTimeOffset End, TimeSpan Step)
{
    public const int MaxPoints = 300;
    public const string DefaultName = "1h";
    public static readonly TimeSpan MinStep = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(31);
    public static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>The steps there are, in seconds: each divides a day (and the one after it), so points line up with days.</summary>
    public static readonly IReadOnlyList<long> Steps =
        [5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 2400, 3600, 7200, 10800, 14400, 21600, 43200, 86400];

    public static readonly IReadOnlyDictionary<string, TimeSpan> Named = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["1h"] = TimeSpan.FromHours(1), ["6h"] = TimeSpan.FromHours(6), ["24h"] = TimeSpan.FromHours(24), ["7d"] = TimeSpan.FromDays(7),
    };

    /// <summary>
    /// The window rates are taken over: at least one step (so no sample falls between points) and at least a minute
    /// (so a rate always sees two scrapes at the usual intervals).
    /// </summary>
    public TimeSpan RateWindow => Step > TimeSpan.FromMinutes(1) ? Step : TimeSpan.FromMinutes(1);

    public int Points => (int)((End - Start).Ticks / Step.Ticks) + 1;

    /// <summary>Either a named range, or start and end together (end at most now plus a minute of clock skew).</summary>
    public static (ChartRange? Range, DomainError? Error) Resolve(string? range, DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        if (start is null && end is null)
        {
            var name = string.IsNullOrWhiteSpace(range) ? DefaultName : range.Trim();
            if (!Named.TryGetValue(name, out var span))
                return (null, DomainError.Invalid($"The ranges are {string.Join(", ", Named.Keys)}, or a custom start and end.", "range"));
            return (Of(now - span, now), null);
        }
        if (!string.IsNullOrWhiteSpace(range))
            return (null, DomainError.Invalid("Give a named range or a start and end, not both.", "range"));
        if (start is null) return (null, DomainError.Invalid("A custom range needs a start as well as an end.", "start"));
        if (end is null) return (null, DomainError.Invalid("A custom range needs an end as well as a start.", "end"));
        if (end <= start) return (null, DomainError.Invalid("The end must come after the start.", "end"));
        if (end - start > MaxSpan) return (null, DomainError.Invalid($"A chart covers at most {MaxSpan.TotalDays:0} days.", "start"));
        if (end > now + TimeSpan.FromMinutes(1)) return (null, DomainError.Invalid("The end cannot be in the future.", "end"));
        return (Of(start.Value, end.Value), null);
    }

    /// <summary>
    /// The step is the smallest of <see cref="Steps"/> that leaves at most <see cref="MaxPoints"/> points over the span;
    /// the start and end are rounded down to a multiple of it (the last point is at most one step old, as in Grafana
    /// with Thanos' <c>align_range_with_step</c>).
    /// </summary>
    public static ChartRange Of(DateTimeOffset start, DateTimeOffset end)
    {
        var needed = (long)Math.Ceiling((end - start).TotalSeconds / (MaxPoints - 1));
        var seconds = Steps.FirstOrDefault(s => s >= needed, Steps[^1]);
        var step = TimeSpan.FromSeconds(seconds);
        return new ChartRange(Floor(start, step), Floor(end, step), step);
    }

    /// <summary>
    /// The range cut at UTC midnights: each piece's points all fall in one day, and together they are this range's points.
    /// </summary>
    public IEnumerable<ChartRange> Days()
    {
        for (var from = Start; from <= End;)
        {
            var nextDay = Floor(from, Day) + Day;
            var to = nextDay - Step < End ? nextDay - Step : End;
            yield return this with { Start = from, End = to };
            from = nextDay;
        }
    }

    /// <summary>The instant rounded down to a multiple of <paramref name="step"/> since the Unix epoch.</summary>
    public static DateTimeOffset Floor(DateTimeOffset at, TimeSpan step)
    {
        var since = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(since - (since % step.Ticks + step.Ticks) % step.Ticks);
    }
}
