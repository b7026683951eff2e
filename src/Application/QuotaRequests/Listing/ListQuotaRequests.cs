using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.QuotaRequests.Listing;

/// <summary>The inbox: every request for admins and auditors; members see their workspaces' requests.</summary>
public sealed record ListQuotaRequests(QuotaRequestState? State = null, Guid? WorkspaceId = null, int Page = 1, int PageSize = 50)
    : IRequest<Page<QuotaRequestView>>;

public static class ListQuotaRequestsHandler
{
    public static async Task<Result<Page<QuotaRequestView>>> Handle(ListQuotaRequests query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        IQueryable<QuotaRequestView> requests = session.Query<QuotaRequestView>();
        if (!actor.CanReadEverything)
        {
            var mine = (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct)).Select(w => w.Id).ToArray();
            requests = requests.Where(r => mine.Contains(r.WorkspaceId));
        }
        if (query.State is { } state) requests = requests.Where(r => r.State == state);
        if (query.WorkspaceId is { } workspaceId) requests = requests.Where(r => r.WorkspaceId == workspaceId);
        return await Paging.ToPageAsync(requests.OrderByDescending(r => r.RequestedAt), query.Page, query.PageSize, ct);
    }
}
