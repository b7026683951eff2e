using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Charts.Browsing;

/// <summary>
/// The charts a workspace's members may install: those of the repositories visible to the workspace, matching
/// <see cref="Query"/> in their name, description or keywords, by name, paged on the server.
/// </summary>
public sealed record SearchCharts(Guid WorkspaceId, string? Query, int Page = 1, int PageSize = 20) : IRequest<Page<ChartSummary>>;

public sealed class SearchChartsValidator : AbstractValidator<SearchCharts>
{
    public SearchChartsValidator() => RuleFor(x => x.Query).MaximumLength(100).WithName("q");
}

public static class SearchChartsHandler
{
    public static async Task<Result<Page<ChartSummary>>> Handle(SearchCharts query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } refused) return refused;
        var visible = await ChartCatalogAccess.VisibleRepositoryIdsAsync(session, query.WorkspaceId, ct);
        return await ChartCatalogAccess.SearchAsync(session, visible, query.Query, query.Page, query.PageSize, ct);
    }
}

/// <summary>What a workspace sees of the catalog: only the charts of repositories visible to it.</summary>
public static class ChartCatalogAccess
{
    public const string NoSuchChart = "No such chart.";

    public static async Task<Guid[]> VisibleRepositoryIdsAsync(IQuerySession session, Guid workspaceId, CancellationToken ct) =>
        [.. (await session.Query<ChartRepositoryView>().Where(r => !r.Removed).ToListAsync(ct)).Where(r => r.VisibleTo(workspaceId)).Select(r => r.Id)];

    public static IQueryable<ChartSummary> SearchQuery(IQuerySession session, Guid[] repositoryIds, string? text)
    {
        var query = session.Query<ChartSummary>().Where(c => repositoryIds.Contains(c.RepositoryId));
        var q = text?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(q)) query = query.Where(c => c.SearchText.Contains(q));
        return query.OrderBy(c => c.Chart).ThenBy(c => c.RepositoryName);
    }

    public static async Task<Page<ChartSummary>> SearchAsync(IQuerySession session, Guid[] repositoryIds, string? text, int page, int size, CancellationToken ct)
    {
        if (repositoryIds.Length == 0) return new Page<ChartSummary>([], 0, Math.Max(page, 1), size);
        return await Paging.ToPageAsync(SearchQuery(session, repositoryIds, text), page, Math.Clamp(size, 1, 100), ct);
    }
}
