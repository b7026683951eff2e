using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Workspaces;

internal static class Allocations
{
    /// <summary>The cluster's allocation stream, and the state to decide on (empty before the first assignment).</summary>
    public static async Task<(JasperFx.Events.IEventStream<ClusterAllocation> Stream, ClusterAllocation State)> FetchAsync(
        IDocumentSession session, Guid clusterId, string clusterName, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(clusterId), ct);
        return (stream, stream.Aggregate ?? ClusterAllocation.Empty(clusterId, clusterName));
    }
}
