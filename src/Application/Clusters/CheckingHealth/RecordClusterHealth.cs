using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Clusters;
using Marten;
using Wolverine.Attributes;

namespace Cocktail.Application.Clusters.CheckingHealth;

/// <summary>
/// Sent by the inventory watcher (as the system) with what it sees; only a change of health or version becomes an
/// event. Not reachable from the API.
/// </summary>
[MessageIdentity("Cocktail.Application.Clusters.Health.RecordClusterHealth")]
public sealed record RecordClusterHealth(Guid ClusterId, ClusterHealth Health, string? Detail, string? KubernetesVersion);

public static class RecordClusterHealthHandler
{
    /// <summary>When the cluster comes back, its service maps and its image gate catch up (what changed while it was away is applied).</summary>
    public static async Task<IEnumerable<object>> Handle(RecordClusterHealth command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Cluster>(command.ClusterId, ct);
        if (stream.Aggregate is not { } cluster) return [];
        var observed = cluster.Observe(command.Health, command.Detail, command.KubernetesVersion, clock.GetUtcNow()).Events;
        stream.AppendMany(observed.ToArray());
        return observed.OfType<ClusterRecovered>().Any()
            ? [new ReconcileClusterServiceMaps(command.ClusterId), new ImageScanning.Reconciling.ReconcileImageGate(command.ClusterId)]
            : [];
    }
}
