using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workloads.Listing;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Monitoring.Charts;
using Marten;

namespace Cocktail.Application.Monitoring;

/// <summary>What a metrics request is about once the caller's view is applied: the cluster, and the target's confinement.</summary>
public sealed record ResolvedTarget(Guid ClusterId, string ClusterName, string Subject, ChartTarget Target);

/// <summary>
/// Turns "this cluster / node / workspace / service map / workload" into the cluster to ask and the namespaces the
/// answer may cover, by the same visibility rules as the inventory: an object the caller may not see is 404, as a
/// missing one is. A member on a shared cluster gets their service maps' namespaces only, even for the cluster and its
/// nodes; a workspace, service map or workload chart always carries its own namespaces, whoever asks.
/// </summary>
public static class MetricsTargets
{
    public static async Task<Result<ResolvedTarget>> ResolveAsync(Actor actor, MetricsScope scope, Guid id, string? node, Guid? clusterId,
        IQuerySession session, CancellationToken ct) => scope switch
    {
        MetricsScope.Cluster or MetricsScope.Node => await ClusterAsync(actor, scope, id, node, session, ct),
        MetricsScope.Workspace => await WorkspaceAsync(actor, id, clusterId, session, ct),
        MetricsScope.ServiceMap => await ServiceMapAsync(actor, id, session, ct),
        MetricsScope.Workload => await WorkloadAsync(actor, id, session, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };

    private static async Task<Result<ResolvedTarget>> ClusterAsync(Actor actor, MetricsScope scope, Guid clusterId, string? node,
        IQuerySession session, CancellationToken ct)
    {
        var visible = await ClusterScope.InventoryScopeAsync(actor, clusterId, session, ct);
        if (!visible.Visible) return Failure.NotFound("No such cluster.");
        var cluster = (await session.LoadAsync<ClusterView>(clusterId, ct))!;
        return scope == MetricsScope.Node
            ? new ResolvedTarget(clusterId, cluster.Name, $"node {node}", ChartTarget.OfNode(node!, visible.Namespaces))
            : new ResolvedTarget(clusterId, cluster.Name, cluster.Name, ChartTarget.Cluster(visible.Namespaces));
    }

    private static async Task<Result<ResolvedTarget>> WorkspaceAsync(Actor actor, Guid workspaceId, Guid? clusterId, IQuerySession session,
        CancellationToken ct)
    {
        var loaded = await TenancyAccess.LoadAsync(session, actor, workspaceId, null, ct);
        if (loaded.Failure is { } failure) return failure;
        var workspace = loaded.Value!;
        if (clusterId is null && workspace.Clusters.Count != 1)
            return workspace.Clusters.Count == 0
                ? Failure.Conflict("The workspace has no cluster yet; a platform admin assigns one.")
                : Failure.Invalid("The workspace has several clusters; name one.", "clusterId");
        var assignment = workspace.Cluster(clusterId ?? workspace.Clusters[0].ClusterId);
        if (assignment is null) return Failure.Invalid("The workspace has no share of that cluster.", "clusterId");
        var namespaces = await NamespacesAsync(session, workspace.Id, assignment.ClusterId, ct);
        return new ResolvedTarget(assignment.ClusterId, assignment.ClusterName, workspace.Name, ChartTarget.Workspace(namespaces));
    }

    private static async Task<Result<ResolvedTarget>> ServiceMapAsync(Actor actor, Guid serviceMapId, IQuerySession session, CancellationToken ct)
    {
        var loaded = await ServiceMapAccess.LoadAsync(session, actor, serviceMapId, null, ct);
        if (loaded.Failure is { } failure) return failure;
        var map = loaded.Value!;
        return new ResolvedTarget(map.ClusterId, map.ClusterName, map.Name, ChartTarget.ServiceMap(map.Namespace));
    }

    private static async Task<Result<ResolvedTarget>> WorkloadAsync(Actor actor, Guid workloadId, IQuerySession session, CancellationToken ct)
    {
        var loaded = await WorkloadAccess.LoadAsync(session, actor, workloadId, ct);
        if (loaded.Failure is { } failure) return failure;
        var workload = loaded.Value!;
        var cluster = await session.LoadAsync<ClusterView>(workload.ClusterId, ct);
        return new ResolvedTarget(workload.ClusterId, cluster?.Name ?? "", workload.Name,
            ChartTarget.Workload(workload.Namespace, workload.Kind.ToString(), workload.Name));
    }

    public static async Task<IReadOnlyList<string>> NamespacesAsync(IQuerySession session, Guid workspaceId, Guid clusterId, CancellationToken ct) =>
        await session.Query<ServiceMapView>().Where(m => m.WorkspaceId == workspaceId && m.ClusterId == clusterId)
            .Select(m => m.Namespace).ToListAsync(ct);
}
