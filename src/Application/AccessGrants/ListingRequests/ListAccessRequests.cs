using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.AccessGrants.ListingRequests;

/// <summary>Requests the caller may see: their own, and (for admins) the ones they decide.</summary>
public sealed record ListAccessRequests(AccessRequestState? State = null, bool Mine = false, int Page = 1, int PageSize = 50)
    : IRequest<Page<AccessRequestView>>;

public static class ListAccessRequestsHandler
{
    public static async Task<Result<Page<AccessRequestView>>> Handle(ListAccessRequests query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        IQueryable<AccessRequestView> requests = session.Query<AccessRequestView>();
        if (query.Mine || !actor.CanReadEverything)
        {
            var managed = query.Mine ? [] : (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct))
                .Where(w => w.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin).Select(w => (Guid?)w.Id).ToArray();
            requests = requests.Where(r => r.UserId == actor.UserId || (r.Scope == AccessScope.ServiceMap && managed.Contains(r.WorkspaceId)));
        }
        if (query.State is { } state) requests = requests.Where(r => r.State == state);
        return await Paging.ToPageAsync(requests.OrderByDescending(r => r.RequestedAt), query.Page, query.PageSize, ct);
    }
}
