using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Users;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Navigation.Searching;

public enum SearchHitKind { Cluster, Workspace, ServiceMap, Workload, User }

/// <summary>One thing found, with where it opens in the console.</summary>
public sealed record SearchHit(SearchHitKind Kind, Guid Id, string Name, string? Detail, string Link);

/// <summary>
/// The top bar's search: clusters, workspaces, service maps and workloads whose name contains the text, each only
/// where the caller may read it (the same rules as the lists), and users for platform admins only. At most
/// <see cref="PerKind"/> of each kind; fewer than <see cref="MinLength"/> characters find nothing.
/// </summary>
public sealed record SearchConsole(string? Search) : IRequest<IReadOnlyList<SearchHit>>
{
    public const int MinLength = 2;
    public const int PerKind = 8;
}

public sealed class SearchConsoleValidator : AbstractValidator<SearchConsole>
{
    public SearchConsoleValidator() => RuleFor(x => x.Search).MaximumLength(100);
}

public static class SearchConsoleHandler
{
    public static async Task<Result<IReadOnlyList<SearchHit>>> Handle(SearchConsole query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var term = query.Search?.Trim().ToLowerInvariant() ?? "";
        if (term.Length < SearchConsole.MinLength) return Array.Empty<SearchHit>();
        var hits = new List<SearchHit>();

        IQueryable<ClusterView> clusters = session.Query<ClusterView>();
        if (await ClusterScope.VisibleToAsync(actor, session, ct) is { } visible)
        {
            var ids = visible.ToArray();
            clusters = clusters.Where(c => ids.Contains(c.Id));
        }
        hits.AddRange((await clusters.Where(c => c.Name.ToLower().Contains(term)).OrderBy(c => c.Name).Take(SearchConsole.PerKind).ToListAsync(ct))
            .Select(c => new SearchHit(SearchHitKind.Cluster, c.Id, c.Name, $"{c.Provider} · {c.Health}", $"/clusters/{c.Id}")));

        // Null: every workspace (admins and auditors); otherwise the caller's own.
        Guid[]? mine = actor.CanReadEverything ? null : (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct)).Select(w => w.Id).ToArray();

        IQueryable<WorkspaceView> workspaces = session.Query<WorkspaceView>();
        if (mine is not null) workspaces = workspaces.Where(w => mine.Contains(w.Id));
        hits.AddRange((await workspaces.Where(w => w.Name.ToLower().Contains(term)).OrderBy(w => w.Name).Take(SearchConsole.PerKind).ToListAsync(ct))
            .Select(w => new SearchHit(SearchHitKind.Workspace, w.Id, w.Name, w.Description, $"/workspaces/{w.Id}")));

        IQueryable<ServiceMapView> maps = session.Query<ServiceMapView>();
        if (mine is not null) maps = maps.Where(m => mine.Contains(m.WorkspaceId));
        hits.AddRange((await maps.Where(m => m.Name.ToLower().Contains(term) || m.Namespace.Contains(term))
                .OrderBy(m => m.Name).Take(SearchConsole.PerKind).ToListAsync(ct))
            .Select(m => new SearchHit(SearchHitKind.ServiceMap, m.Id, m.Name, $"{m.WorkspaceName} · {m.ClusterName}", $"/service-maps/{m.Id}")));

        IQueryable<WorkloadView> workloads = session.Query<WorkloadView>();
        if (mine is not null) workloads = workloads.Where(w => mine.Contains(w.WorkspaceId));
        hits.AddRange((await workloads.Where(w => w.Name.ToLower().Contains(term)).OrderBy(w => w.Name).Take(SearchConsole.PerKind).ToListAsync(ct))
            .Select(w => new SearchHit(SearchHitKind.Workload, w.Id, w.Name, $"{w.Kind} in {w.Namespace}", $"/workloads/{w.Id}")));

        if (actor.IsPlatformAdmin)
            hits.AddRange((await session.Query<UserView>()
                    .Where(u => u.UserName.ToLower().Contains(term) || u.DisplayName.ToLower().Contains(term))
                    .OrderBy(u => u.UserName).Take(SearchConsole.PerKind).ToListAsync(ct))
                .Select(u => new SearchHit(SearchHitKind.User, u.Id, u.UserName, $"{u.DisplayName} · {u.Role}{(u.Active ? "" : " · deactivated")}",
                    $"/settings/users?search={Uri.EscapeDataString(u.UserName)}")));
        return hits;
    }
}
