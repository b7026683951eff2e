using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Policies;
using Marten;

namespace Cocktail.Application.Policies;

public sealed record PolicySet(SecurityPolicy Workspace, SecurityPolicy ServiceMap, SecurityPolicy Effective);

public static class EffectivePolicies
{
    public static async Task<SecurityPolicy> OwnAsync(IQuerySession session, Guid targetId, CancellationToken ct) =>
        (await session.LoadAsync<SecurityPolicyView>(PolicyStream.StreamIdFor(targetId), ct))?.Policy ?? SecurityPolicy.None;

    /// <summary>The workspace's policy, the service map's, and what applies there (the stricter of each rule).</summary>
    public static async Task<PolicySet> ForAsync(IQuerySession session, ServiceMapView map, CancellationToken ct)
    {
        var workspace = await OwnAsync(session, map.WorkspaceId, ct);
        var own = await OwnAsync(session, map.Id, ct);
        return new PolicySet(workspace, own, SecurityPolicy.Effective(workspace, own, map.PodSecurity));
    }
}
