using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Clusters;
using Marten;

namespace Cocktail.Application.Clusters.Health;

/// <summary>
/// Sent by the inventory watcher (as the system) with what it sees; only a change of health or version becomes an
/// event. Not reachable from the API.
/// </summary>
public sealed record RecordClusterHealth(Guid ClusterId, ClusterHealth Health, string? Detail, string? KubernetesVersion);

public static class RecordClusterHealthHandler
{
    /// <summary>When the cluster comes back, its service maps catch up (what changed while it was away is applied).</summary>
    public static async Task<IEnumerable<object>> Handle(RecordClusterHealth command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Cluster>(command.ClusterId, ct);
        if (stream.Aggregate is not { Unregistered: false } cluster) return [];
        var now = clock.GetUtcNow();
        var health = cluster.ObserveHealth(command.Health, command.Detail, now).Events;
        stream.AppendMany(health.ToArray());
        if (command.KubernetesVersion is { } version)
            stream.AppendMany(cluster.ObserveVersion(version, now).Events.ToArray());
        return health.OfType<ClusterRecovered>().Any() ? [new ReconcileClusterServiceMaps(command.ClusterId)] : [];
    }
}
