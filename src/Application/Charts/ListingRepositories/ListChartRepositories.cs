using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Charts;
using Marten;

namespace Cocktail.Application.Charts.ListingRepositories;

/// <summary>
/// The chart repositories the caller may know of. Platform admins and auditors get every one with its URL, visibility
/// and last refresh; everyone else gets only the names (and kinds) of those visible to a workspace they belong to.
/// </summary>
public sealed record ListChartRepositories : IRequest<IReadOnlyList<ChartRepositoryItem>>;

public sealed record GetChartRepository(Guid RepositoryId) : IRequest<ChartRepositoryItem>;

/// <summary>A repository in a list: <see cref="Url"/>, the visibility and <see cref="Refresh"/> only for platform admins and auditors.</summary>
public sealed record ChartRepositoryItem(
    Guid Id, string Name, ChartRepositoryKind Kind, string? Url, IReadOnlyList<string>? Charts, bool? AllWorkspaces,
    IReadOnlyList<ChartRepositoryWorkspace>? Workspaces, ChartRepositoryRefresh? Refresh, long? Version);

public sealed record ChartRepositoryWorkspace(Guid Id, string Name);

public static class ListChartRepositoriesHandler
{
    public static async Task<Result<IReadOnlyList<ChartRepositoryItem>>> Handle(ListChartRepositories _, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var repositories = await session.Query<ChartRepositoryView>().Where(r => !r.Removed).OrderBy(r => r.Name).ToListAsync(ct);
        if (!actor.CanReadEverything)
        {
            var mine = (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct)).Select(w => w.Id).ToList();
            return repositories.Where(r => mine.Any(r.VisibleTo))
                .Select(r => new ChartRepositoryItem(r.Id, r.Name, r.Kind, null, null, null, null, null, null)).ToList();
        }
        return await FullAsync(session, repositories, ct);
    }

    internal static async Task<List<ChartRepositoryItem>> FullAsync(IQuerySession session, IReadOnlyList<ChartRepositoryView> repositories, CancellationToken ct)
    {
        var ids = repositories.Select(r => r.Id).ToArray();
        var refreshes = (await session.LoadManyAsync<ChartRepositoryRefresh>(ct, ids)).ToDictionary(r => r.Id);
        var workspaceIds = repositories.SelectMany(r => r.WorkspaceIds).Distinct().ToArray();
        var names = (await session.LoadManyAsync<WorkspaceView>(ct, workspaceIds)).ToDictionary(w => w.Id, w => w.Name);
        return [.. repositories.Select(r => new ChartRepositoryItem(r.Id, r.Name, r.Kind, r.Url, r.Charts, r.AllWorkspaces,
            [.. r.WorkspaceIds.Select(w => new ChartRepositoryWorkspace(w, names.GetValueOrDefault(w, "(removed workspace)")))],
            refreshes.GetValueOrDefault(r.Id), r.Version))];
    }
}

public static class GetChartRepositoryHandler
{
    public static async Task<Result<ChartRepositoryItem>> Handle(GetChartRepository query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var repository = await session.LoadAsync<ChartRepositoryView>(query.RepositoryId, ct);
        if (repository is null || repository.Removed) return Failure.NotFound(ChartRepository.NoSuchRepository);
        if (!actor.CanReadEverything)
        {
            var mine = (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct)).Select(w => w.Id);
            return mine.Any(repository.VisibleTo)
                ? new ChartRepositoryItem(repository.Id, repository.Name, repository.Kind, null, null, null, null, null, null)
                : Failure.NotFound(ChartRepository.NoSuchRepository);
        }
        return (await ListChartRepositoriesHandler.FullAsync(session, [repository], ct))[0];
    }
}
