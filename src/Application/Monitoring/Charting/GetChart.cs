using Cocktail.Application.Common;
using System.Globalization;
using Cocktail.Application.Clusters.ViewingObjects;
using Cocktail.Application.Monitoring.ConfiguringPrometheus;
using Cocktail.Domain.Monitoring.Charts;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Monitoring.Charting;

/// <summary>
/// One chart's numbers for a cluster, a node (<c>Node</c>), a workspace (on <c>ClusterId</c>, needed when it has several
/// clusters), a service map or a workload: a named <c>Range</c> (1h, 6h, 24h, 7d; 1h by default) or <c>Start</c> and <c>End</c>.
/// </summary>
public sealed record GetChart(MetricsScope Scope, Guid Id, string Chart, string? Range = null, DateTimeOffset? Start = null,
    DateTimeOffset? End = null, string? Node = null, Guid? ClusterId = null) : IRequest<ChartData>;

/// <summary>One line of a chart: its legend name (the namespace or pod), the namespace it belongs to, and its points.</summary>
public sealed record ChartLine(string Name, string? Namespace, IReadOnlyList<ChartPoint> Points);

public readonly record struct ChartPoint(DateTimeOffset At, double Value);

/// <summary>A chart's numbers, with the PromQL Cocktail asked (always confined to what the caller may see).</summary>
public sealed record ChartData(string Chart, string Title, ChartUnit Unit, MetricsScope Scope, Guid ClusterId, string Subject,
    DateTimeOffset Start, DateTimeOffset End, int StepSeconds, string? Query, IReadOnlyList<ChartLine> Series);

public sealed class GetChartValidator : AbstractValidator<GetChart>
{
    public GetChartValidator()
    {
        RuleFor(x => x.Scope).IsInEnum();
        RuleFor(x => x.Chart).Must(c => ChartCatalog.Find(c) is not null)
            .WithMessage($"The charts are {string.Join(", ", ChartCatalog.Names)}.");
        When(x => x.Scope == MetricsScope.Node, () =>
            RuleFor(x => x.Node).NotEmpty().WithMessage("Name the node.")
                .MaximumLength(253).Matches(ObjectNames.Name).WithMessage("Not a node name."));
        RuleFor(x => x.Range).MaximumLength(16);
    }
}

public static class GetChartHandler
{
    public static async Task<Result<ChartData>> Handle(GetChart query, Actor actor, IQuerySession session, IClusterPrometheus prometheus,
        ChartResultsCache cache, TimeProvider clock, CancellationToken ct)
    {
        var (range, invalid) = ChartRange.Resolve(query.Range, query.Start, query.End, clock.GetUtcNow());
        if (invalid is not null) return invalid;
        var resolved = await MetricsTargets.ResolveAsync(actor, query.Scope, query.Id, query.Node, query.ClusterId, session, ct);
        if (resolved.Failure is { } failure) return failure;
        var (clusterId, clusterName, subject, target) = resolved.Value!;
        var chart = ChartCatalog.Find(query.Chart)!;
        var data = new ChartData(chart.Name, chart.Title, chart.Unit, query.Scope, clusterId, subject, range!.Start, range.End,
            (int)range.Step.TotalSeconds, null, []);
        // No namespace of the cluster is the caller's: nothing to ask, and nothing to answer.
        if (target.SeesNothing) return data;

        var promql = chart.Query(target, range);
        // The cache's entries belong to this cluster's Prometheus settings as they are now: new settings, new entries.
        var settings = await session.LoadAsync<ClusterMonitoringView>(clusterId, ct);
        var answer = settings?.Location is null
            ? await prometheus.QueryRangeAsync(clusterId, promql, range.Start, range.End, range.Step, ct)
            : await cache.QueryRangeAsync(prometheus, clusterId, settings.ConfiguredAt.UtcTicks.ToString(CultureInfo.InvariantCulture), promql, range, ct);
        if (answer.Failure is { } refused) return PrometheusFailures.ToFailure(refused, clusterName);
        var lines = answer.Value!
            .Select(s => new ChartLine(Legend(s.Labels, target), s.Labels.GetValueOrDefault("namespace"), s.Points.Where(p => double.IsFinite(p.Value)).Select(p => new ChartPoint(p.At, p.Value)).ToList()))
            .OrderBy(l => l.Namespace, StringComparer.Ordinal).ThenBy(l => l.Name, StringComparer.Ordinal)
            .ToList();
        return data with { Query = promql, Series = lines };
    }

    /// <summary>The namespace or pod; on a node, whose pods come from many namespaces, "namespace/pod".</summary>
    private static string Legend(IReadOnlyDictionary<string, string> labels, ChartTarget target)
    {
        var name = labels.TryGetValue(target.GroupLabel, out var value) && value.Length > 0 ? value : "(none)";
        return target.Scope == MetricsScope.Node && labels.TryGetValue("namespace", out var ns) ? $"{ns}/{name}" : name;
    }
}

/// <summary>The charts there are, for every scope: name, title and unit.</summary>
public sealed record ListCharts : IRequest<IReadOnlyList<ChartInfo>>;

public sealed record ChartInfo(string Name, string Title, ChartUnit Unit);

public static class ListChartsHandler
{
    public static Result<IReadOnlyList<ChartInfo>> Handle(ListCharts _) =>
        ChartCatalog.All.Select(c => new ChartInfo(c.Name, c.Title, c.Unit)).ToList();
}
