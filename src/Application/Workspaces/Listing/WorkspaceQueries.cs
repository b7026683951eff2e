using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.Workspaces.Listing;

/// <summary>The workspaces the caller is a member of (all of them for admins and auditors).</summary>
public sealed record ListWorkspaces(string? Search = null, int Page = 1, int PageSize = 50) : IRequest<Page<WorkspaceView>>;

public sealed record GetWorkspace(Guid WorkspaceId) : IRequest<WorkspaceView>;

public static class ListWorkspacesHandler
{
    public static async Task<Result<Page<WorkspaceView>>> Handle(ListWorkspaces query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        IQueryable<WorkspaceView> workspaces = session.Query<WorkspaceView>();
        if (!actor.CanReadEverything) workspaces = workspaces.Where(w => w.MemberIds.Contains(actor.UserId));
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            workspaces = workspaces.Where(w => w.Name.Contains(term));
        }
        return await Paging.ToPageAsync(workspaces.OrderBy(w => w.Name), query.Page, query.PageSize, ct);
    }
}

public static class GetWorkspaceHandler
{
    public static Task<Result<WorkspaceView>> Handle(GetWorkspace query, Actor actor, IQuerySession session, CancellationToken ct) =>
        TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
}
