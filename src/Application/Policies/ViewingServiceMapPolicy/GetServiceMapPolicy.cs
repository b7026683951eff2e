using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Marten;

namespace Cocktail.Application.Policies.ViewingServiceMapPolicy;

public sealed record GetServiceMapPolicy(Guid ServiceMapId) : IRequest<PolicySet>;

public static class GetServiceMapPolicyHandler
{
    public static async Task<Result<PolicySet>> Handle(GetServiceMapPolicy query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, null, ct);
        if (map.Failure is { } failure) return failure;
        return await EffectivePolicies.ForAsync(session, map.Value!, ct);
    }
}
