using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.AccessGrants.Listing;

/// <summary>
/// Grants filtered by cluster, user and state, newest first. Admins and auditors see all; workspace admins see
/// their service maps' grants; everybody sees their own.
/// </summary>
public sealed record ListAccessGrants(Guid? ClusterId = null, Guid? UserId = null, GrantState? State = null, bool Mine = false,
    int Page = 1, int PageSize = 50) : IRequest<Page<AccessGrantItem>>;

public sealed record GetAccessGrant(Guid GrantId) : IRequest<AccessGrantItem>;

public static class ListAccessGrantsHandler
{
    public static async Task<Result<Page<AccessGrantItem>>> Handle(ListAccessGrants query, Actor actor, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IQueryable<AccessGrantView> grants = session.Query<AccessGrantView>();
        if (query.Mine || !actor.CanReadEverything)
        {
            var managed = query.Mine ? [] : (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct))
                .Where(w => w.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin).Select(w => (Guid?)w.Id).ToArray();
            grants = grants.Where(g => g.UserId == actor.UserId || managed.Contains(g.WorkspaceId));
        }
        if (query.ClusterId is { } clusterId) grants = grants.Where(g => g.ClusterId == clusterId);
        if (query.UserId is { } userId) grants = grants.Where(g => g.UserId == userId);
        grants = query.State switch
        {
            GrantState.Revoked => grants.Where(g => g.RevokedAt != null),
            GrantState.Expired => grants.Where(g => g.RevokedAt == null && (g.ExpiredAt != null || g.ValidUntil <= now)),
            GrantState.Scheduled => grants.Where(g => g.RevokedAt == null && g.ExpiredAt == null && g.ValidFrom > now),
            GrantState.Active => grants.Where(g => g.RevokedAt == null && g.ExpiredAt == null && g.ValidFrom <= now && g.ValidUntil > now && g.OnCluster),
            GrantState.Activating => grants.Where(g => g.RevokedAt == null && g.ExpiredAt == null && g.ValidFrom <= now && g.ValidUntil > now && !g.OnCluster),
            _ => grants,
        };
        var page = await Paging.ToPageAsync(grants.OrderByDescending(g => g.GrantedAt), query.Page, query.PageSize, ct);
        return new Page<AccessGrantItem>(page.Items.Select(g => new AccessGrantItem(g, g.StateAt(now))).ToList(), page.Total, page.PageNumber, page.PageSize);
    }
}

public static class GetAccessGrantHandler
{
    public static async Task<Result<AccessGrantItem>> Handle(GetAccessGrant query, Actor actor, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
        (await AccessGrantAccess.LoadAsync(actor, query.GrantId, session, ct)).Map(g => new AccessGrantItem(g, g.StateAt(clock.GetUtcNow())));
}
