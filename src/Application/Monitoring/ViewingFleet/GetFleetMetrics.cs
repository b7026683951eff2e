using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Listing;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Monitoring.Charts;
using Marten;

namespace Cocktail.Application.Monitoring.ViewingFleet;

/// <summary>Every cluster the caller may see (platform admins and auditors all, members their workspaces'), by name.</summary>
public sealed record GetFleetMetrics(string? Search = null, int Page = 1, int PageSize = 100) : IRequest<FleetMetrics>;

/// <summary>How much of something is used of what there is; <c>Used</c> is null when nothing measures it now.</summary>
public sealed record FleetFigure(double? Used, double Capacity)
{
    public double? Percent => Used is { } used && Capacity > 0 ? Math.Round(100 * used / Capacity, 1) : null;
}

/// <summary>
/// One cluster now: CPU (cores) and memory (bytes) in use as metrics.k8s.io measured them against what the nodes can
/// allocate; GPUs and pods as requested and running against allocatable; storage (bytes) used of the persistent volumes'
/// capacity as the cluster's Prometheus reports it (null, with the reason in <c>StorageNote</c>, without one).
/// </summary>
public sealed record FleetCluster(Guid Id, string Name, ClusterHealth Health, int NodesReady, int NodesTotal,
    FleetFigure Cpu, FleetFigure Memory, FleetFigure Gpu, FleetFigure Pods, FleetFigure? Storage, string? StorageNote, DateTimeOffset? MeasuredAt);

public sealed record FleetMetrics(Page<FleetCluster> Clusters, FleetFigure Cpu, FleetFigure Memory, FleetFigure Gpu, FleetFigure Pods);

public static class GetFleetMetricsHandler
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(3);

    public static async Task<Result<FleetMetrics>> Handle(GetFleetMetrics query, Actor actor, IQuerySession session, IInventoryReader inventory,
        IClusterPrometheus prometheus, TimeProvider clock, CancellationToken ct)
    {
        var clusters = await ListClustersHandler.Handle(new ListClusters(Search: query.Search, Page: query.Page, PageSize: query.PageSize),
            actor, session, inventory, ct);
        if (clusters.Failure is { } failure) return failure;
        var page = clusters.Value!;
        var now = clock.GetUtcNow();
        var targets = new List<ChartTarget>();
        foreach (var item in page.Items)
            targets.Add(ChartTarget.Cluster((await ClusterScope.InventoryScopeAsync(actor, item.Cluster.Id, session, ct)).Namespaces));
        // Each cluster's Prometheus at once: the page waits for the slowest, bounded by the timeout, not for their sum.
        var storage = await Task.WhenAll(page.Items.Select((item, i) => StorageAsync(item.Cluster, targets[i], prometheus, now, ct)));
        var rows = page.Items.Select((item, i) => Row(item, storage[i])).ToList();
        return new FleetMetrics(new Page<FleetCluster>(rows, page.Total, page.PageNumber, page.PageSize),
            Total(rows, r => r.Cpu), Total(rows, r => r.Memory), Total(rows, r => r.Gpu), Total(rows, r => r.Pods));
    }

    private static FleetCluster Row(ClusterItem item, (FleetFigure? Figure, string? Note) storage)
    {
        var s = item.Summary;
        return new FleetCluster(item.Cluster.Id, item.Cluster.Name, item.Cluster.Health, s.NodesReady, s.NodesTotal,
            new FleetFigure(s.Usage is { } cpu ? cpu.CpuMillis / 1000.0 : null, s.Allocatable.CpuMillis / 1000.0),
            new FleetFigure(s.Usage?.MemoryBytes, s.Allocatable.MemoryBytes),
            new FleetFigure(s.Requested.Gpus, s.Allocatable.Gpus),
            new FleetFigure(s.PodsRunning, s.Allocatable.Pods),
            storage.Figure, storage.Note, s.LastSyncAt);
    }

    /// <summary>Sums over the page; a figure nobody measured stays out of the used total.</summary>
    private static FleetFigure Total(IReadOnlyList<FleetCluster> rows, Func<FleetCluster, FleetFigure> figure)
    {
        var figures = rows.Select(figure).ToList();
        return new FleetFigure(figures.Any(f => f.Used is not null) ? figures.Sum(f => f.Used ?? 0) : null, figures.Sum(f => f.Capacity));
    }

    /// <summary>Persistent volumes' bytes used and capacity from kubelet's volume stats, confined as a chart is; a slow Prometheus is skipped.</summary>
    private static async Task<(FleetFigure?, string?)> StorageAsync(ClusterView cluster, ChartTarget target, IClusterPrometheus prometheus,
        DateTimeOffset now, CancellationToken ct)
    {
        if (target.SeesNothing) return (new FleetFigure(0, 0), null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StorageTimeout);
        try
        {
            var used = await prometheus.QueryAsync(cluster.Id, $"sum({target.Select("kubelet_volume_stats_used_bytes")})", now, timeout.Token);
            if (used.Failure is { } failure) return (null, Note(failure));
            var capacity = await prometheus.QueryAsync(cluster.Id, $"sum({target.Select("kubelet_volume_stats_capacity_bytes")})", now, timeout.Token);
            if (capacity.Failure is { } capacityFailure) return (null, Note(capacityFailure));
            return (new FleetFigure(used.Value!.Sum(s => s.Value), capacity.Value!.Sum(s => s.Value)), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "Prometheus did not answer in time.");
        }
    }

    private static string Note(PrometheusFailure failure) => failure.Kind switch
    {
        PrometheusFailureKind.NotConfigured => "No Prometheus set for this cluster.",
        PrometheusFailureKind.Unreachable => "Prometheus does not answer.",
        PrometheusFailureKind.Refused => "Prometheus refused Cocktail's credentials.",
        _ => "Prometheus refused the query.",
    };
}
