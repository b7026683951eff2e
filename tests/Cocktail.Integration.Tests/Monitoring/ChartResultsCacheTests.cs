using Cocktail.Application.Monitoring;
using Cocktail.Application.Monitoring.Charting;
using Cocktail.Domain.Monitoring.Charts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// The chart results cache on its own, against a Prometheus that answers every range query with a point per step
/// (value = the instant's Unix seconds) and notes what it was asked: what a look at a chart costs Prometheus.
/// </summary>
public sealed class ChartResultsCacheTests
{
    private static readonly Guid Cluster = Guid.CreateVersion7();
    private const string TeamA = "sum by (namespace) (rate(x{namespace=~\"team-a\"}[2400s]))";
    private const string TeamB = "sum by (namespace) (rate(x{namespace=~\"team-b\"}[2400s]))";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 8, 25, 0, TimeSpan.Zero));
    private readonly CountingPrometheus _prometheus = new();
    private readonly ChartResultsCache _cache;

    public ChartResultsCacheTests() => _cache = new ChartResultsCache(Options.Create(new ChartCacheOptions()), _clock);

    private ChartRange SevenDays => ChartRange.Resolve("7d", null, null, _clock.GetUtcNow()).Range!;

    [Fact]
    public async Task a_first_look_asks_each_day_and_gets_every_point_of_the_range_once()
    {
        var range = SevenDays;

        var answer = await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, range, CancellationToken.None);

        Assert.Equal(8, _prometheus.Asked.Count);
        var points = Assert.Single(answer.Value!).Points;
        Assert.Equal(range.Points, points.Count);
        Assert.Equal(range.Start, points[0].At);
        Assert.Equal(range.End, points[^1].At);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.Second.At - p.First.At == range.Step));
    }

    [Fact]
    public async Task a_repeated_look_asks_prometheus_only_for_the_points_newer_than_the_freshness_window()
    {
        await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, SevenDays, CancellationToken.None);
        _prometheus.Asked.Clear();
        _clock.Advance(TimeSpan.FromMinutes(40)); // one 7-day step later

        var range = SevenDays;
        var answer = await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, range, CancellationToken.None);

        var asked = Assert.Single(_prometheus.Asked);
        Assert.Equal(TeamA, asked.Query);
        Assert.True(range.End - asked.Start <= TimeSpan.FromMinutes(10) + range.Step, $"asked from {asked.Start} to {asked.End}");
        var points = Assert.Single(answer.Value!).Points;
        Assert.Equal(range.Points, points.Count);
        Assert.Equal(range.End, points[^1].At);
    }

    [Fact]
    public async Task another_namespace_matcher_or_other_prometheus_settings_never_meet_the_cached_points()
    {
        await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, SevenDays, CancellationToken.None);
        _prometheus.Asked.Clear();

        await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamB, SevenDays, CancellationToken.None);
        Assert.Equal(8, _prometheus.Asked.Count);
        Assert.All(_prometheus.Asked, a => Assert.Equal(TeamB, a.Query));

        _prometheus.Asked.Clear();
        await _cache.QueryRangeAsync(_prometheus, Cluster, "v2", TeamA, SevenDays, CancellationToken.None);
        Assert.Equal(8, _prometheus.Asked.Count);
    }

    [Fact]
    public async Task a_failure_of_any_day_is_the_answer_and_the_next_look_is_whole()
    {
        _prometheus.FailAfter = 3;
        var failed = await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, SevenDays, CancellationToken.None);
        Assert.Equal(PrometheusFailureKind.Unreachable, failed.Failure!.Kind);

        _prometheus.FailAfter = null;
        var answer = await _cache.QueryRangeAsync(_prometheus, Cluster, "v1", TeamA, SevenDays, CancellationToken.None);
        Assert.Equal(SevenDays.Points, Assert.Single(answer.Value!).Points.Count);
    }

    private sealed class CountingPrometheus : IClusterPrometheus
    {
        public List<(string Query, DateTimeOffset Start, DateTimeOffset End)> Asked { get; } = [];
        public int? FailAfter { get; set; }

        public Task<PrometheusAnswer<IReadOnlyList<PrometheusSample>>> QueryAsync(Guid clusterId, string promql, DateTimeOffset at, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<PrometheusAnswer<IReadOnlyList<PrometheusSeries>>> QueryRangeAsync(Guid clusterId, string promql, DateTimeOffset start,
            DateTimeOffset end, TimeSpan step, CancellationToken ct)
        {
            lock (Asked)
            {
                Asked.Add((promql, start, end));
                if (FailAfter is { } n && Asked.Count > n)
                    return Task.FromResult(PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Fail(PrometheusFailureKind.Unreachable, "down"));
            }
            var points = new List<PrometheusPoint>();
            for (var at = start; at <= end; at += step) points.Add(new PrometheusPoint(at, at.ToUnixTimeSeconds()));
            IReadOnlyList<PrometheusSeries> series = [new(new Dictionary<string, string> { ["namespace"] = "team-a" }, points)];
            return Task.FromResult(PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Ok(series));
        }
    }
}
