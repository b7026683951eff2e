using Cocktail.Domain.Monitoring.Charts;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Monitoring.Charting;

/// <summary>How charts' range queries are split and cached (<c>Cocktail:Charts</c>).</summary>
public sealed class ChartCacheOptions
{
    /// <summary>Points newer than this are always asked afresh: Prometheus may still be ingesting them (Cortex' max_cache_freshness).</summary>
    public TimeSpan Freshness { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Days of one chart asked of Prometheus at once when they are not cached.</summary>
    public int ParallelDays { get; set; } = 4;

    /// <summary>Points held across every cached chart of this replica; the least recently used go first.</summary>
    public long MaxPoints { get; set; } = 4_000_000;

    /// <summary>A cached day nobody asked for this long is dropped.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>
/// A results cache for charts' range queries, as Thanos' and Cortex' query-frontends keep one: a step-aligned range
/// (<see cref="ChartRange"/>) is cut at UTC midnights, each day is asked of Prometheus on its own (several at once) and
/// its points up to <see cref="ChartCacheOptions.Freshness"/> ago are kept, so the next look at the same chart asks
/// Prometheus only for the minutes since. The key is the cluster, its Prometheus settings (new settings, new entries),
/// the step and the PromQL itself, which already carries the caller's namespace matcher: a caller confined to other
/// namespaces asks another query and never meets these entries. Per replica, in memory, bounded by points.
/// </summary>
public sealed class ChartResultsCache(IOptions<ChartCacheOptions> options, TimeProvider clock) : IDisposable
{
    private MemoryCache _entries = NewCache(options.Value);

    private static MemoryCache NewCache(ChartCacheOptions o) => new(new MemoryCacheOptions { SizeLimit = o.MaxPoints, CompactionPercentage = 0.25 });

    /// <summary>
    /// The range query's series over <paramref name="range"/>, from cached days where they are complete and from
    /// Prometheus for the rest. <paramref name="settingsKey"/> changes whenever the cluster's Prometheus settings do.
    /// </summary>
    public async Task<PrometheusAnswer<IReadOnlyList<PrometheusSeries>>> QueryRangeAsync(IClusterPrometheus prometheus, Guid clusterId,
        string settingsKey, string promql, ChartRange range, CancellationToken ct)
    {
        var o = options.Value;
        var final = ChartRange.Floor(clock.GetUtcNow() - o.Freshness, range.Step);
        var days = range.Days().ToList();
        var pieces = new DayPoints?[days.Count];
        var failure = default(PrometheusFailure);
        using var turns = new SemaphoreSlim(Math.Max(1, o.ParallelDays));
        await Task.WhenAll(days.Select(async (day, i) =>
        {
            var key = $"{clusterId:N}|{settingsKey}|{(long)range.Step.TotalSeconds}|{day.Start.UtcDateTime:yyyy-MM-dd}|{promql}";
            var cached = _entries.Get<DayPoints>(key);
            if (cached is not null && cached.From <= day.Start && cached.Until >= day.End)
            {
                pieces[i] = cached.Within(day.Start, day.End);
                return;
            }
            // Extend what is cached when it starts early enough; else ask for the whole day's piece.
            var askFrom = cached is not null && cached.From <= day.Start && cached.Until >= day.Start - range.Step ? cached.Until + range.Step : day.Start;
            await turns.WaitAsync(ct);
            PrometheusAnswer<IReadOnlyList<PrometheusSeries>> answer;
            try { answer = await prometheus.QueryRangeAsync(clusterId, promql, askFrom, day.End, range.Step, ct); }
            finally { turns.Release(); }
            if (answer.Failure is { } failed)
            {
                failure ??= failed;
                return;
            }
            var fresh = DayPoints.Of(askFrom, day.End, answer.Value!);
            var whole = askFrom == day.Start ? fresh : cached!.Then(fresh);
            pieces[i] = whole.Within(day.Start, day.End);
            // Only what Prometheus will not change any more is kept.
            if (final < whole.From) return;
            var keep = whole.Within(whole.From, final < whole.Until ? final : whole.Until);
            _entries.Set(key, keep, new MemoryCacheEntryOptions { Size = Math.Max(1, keep.Count), SlidingExpiration = o.Idle });
        }));
        if (failure is not null) return new(default, failure);
        return PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Ok(DayPoints.Join(pieces!));
    }

    /// <summary>Forgets every cached point (the benchmark measures a first look with it).</summary>
    public void Clear()
    {
        var old = Interlocked.Exchange(ref _entries, NewCache(options.Value));
        old.Dispose();
    }

    public void Dispose() => _entries.Dispose();

    /// <summary>The points of every series from <see cref="From"/> to <see cref="Until"/>, keyed by the series' labels.</summary>
    private sealed record DayPoints(DateTimeOffset From, DateTimeOffset Until, IReadOnlyDictionary<string, PrometheusSeries> Series)
    {
        public long Count => Series.Values.Sum(s => (long)s.Points.Count + s.Labels.Count);

        public static DayPoints Of(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<PrometheusSeries> series) =>
            new(from, until, series.GroupBy(s => LabelKey(s.Labels), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));

        public DayPoints Within(DateTimeOffset from, DateTimeOffset until) => from <= From && until >= Until
            ? this
            : new(from, until, Series.Select(s => s.Value with { Points = s.Value.Points.Where(p => p.At >= from && p.At <= until).ToList() })
                .Where(s => s.Points.Count > 0)
                .ToDictionary(s => LabelKey(s.Labels), StringComparer.Ordinal));

        /// <summary>These points, then <paramref name="later"/>'s (which start after this ends).</summary>
        public DayPoints Then(DayPoints later)
        {
            var series = new Dictionary<string, PrometheusSeries>(Series, StringComparer.Ordinal);
            foreach (var (key, s) in later.Series)
                series[key] = series.TryGetValue(key, out var earlier) ? earlier with { Points = [.. earlier.Points, .. s.Points] } : s;
            return new(From, later.Until, series);
        }

        /// <summary>Days in order, joined into one series per label set.</summary>
        public static IReadOnlyList<PrometheusSeries> Join(IEnumerable<DayPoints> days)
        {
            var joined = new Dictionary<string, (IReadOnlyDictionary<string, string> Labels, List<PrometheusPoint> Points)>(StringComparer.Ordinal);
            foreach (var day in days)
                foreach (var (key, s) in day.Series)
                {
                    if (!joined.TryGetValue(key, out var line)) joined[key] = line = (s.Labels, []);
                    line.Points.AddRange(s.Points);
                }
            return joined.Values.Select(l => new PrometheusSeries(l.Labels, l.Points)).ToList();
        }

        private static string LabelKey(IReadOnlyDictionary<string, string> labels) =>
            string.Join('\u0001', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}\u0002{l.Value}"));
    }
}
