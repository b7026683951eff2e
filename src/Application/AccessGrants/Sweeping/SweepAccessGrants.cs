using Cocktail.Application.AccessGrants.Activating;
using Cocktail.Application.AccessGrants.Expiring;
using Cocktail.Application.AccessGrants.RemovingFromCluster;
using Cocktail.Domain.Access;
using Marten;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.Sweeping;

/// <summary>The safety net under the schedule: expires overdue grants, activates due ones, removes leftovers.</summary>
[MessageIdentity("Cocktail.Application.AccessGrants.SweepAccessGrants")]
public sealed record SweepAccessGrants;

public static class SweepAccessGrantsHandler
{
    /// <summary>Only finds the candidates; each command's handler asks the grant itself whether the work is due.</summary>
    public static async Task<IEnumerable<object>> Handle(SweepAccessGrants _, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var open = await session.Query<AccessGrantView>()
            .Where(g => g.RevokedAt == null && g.ExpiredAt == null || g.OnCluster)
            .ToListAsync(ct);
        var work = new List<object>();
        foreach (var grant in open)
        {
            if (grant.RevokedAt is null && grant.ExpiredAt is null && now >= grant.ValidUntil) work.Add(new ExpireAccessGrant(grant.Id));
            else if (grant.StateAt(now) == GrantState.Activating) work.Add(new ActivateAccessGrant(grant.Id));
            else if (grant.OnCluster && grant.StateAt(now) is GrantState.Revoked or GrantState.Expired) work.Add(new RemoveAccessGrant(grant.Id));
        }
        return work;
    }
}
