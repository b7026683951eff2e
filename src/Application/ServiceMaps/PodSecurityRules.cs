using Cocktail.Application.Policies;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.ServiceMaps;

public static class PodSecurityRules
{
    /// <summary>
    /// The bounds for a service map of the workspace on the cluster: the assignment's ceiling and the stricter of
    /// the workspace's and (for an existing map) the map's own policy. Null when the workspace has no assignment there.
    /// </summary>
    public static async Task<PodSecurityBounds?> BoundsAsync(IQuerySession session, Guid workspaceId, Guid clusterId, Guid? serviceMapId,
        CancellationToken ct, ClusterAllocation? allocation = null)
    {
        allocation ??= await session.Events.AggregateStreamAsync<ClusterAllocation>(ClusterAllocation.StreamIdFor(clusterId), token: ct);
        if (allocation?.PodSecurityCeiling(workspaceId) is not { } ceiling) return null;
        var floor = (await EffectivePolicies.OwnAsync(session, workspaceId, ct)).PodSecurity;
        if (serviceMapId is { } mapId) floor = SecurityPolicy.Stricter(floor, (await EffectivePolicies.OwnAsync(session, mapId, ct)).PodSecurity);
        return new PodSecurityBounds(ceiling, floor, allocation.ClusterName);
    }
}
