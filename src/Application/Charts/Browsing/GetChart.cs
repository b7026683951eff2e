using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Charts;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Charts.Browsing;

/// <summary>
/// One chart as a workspace sees it: every version (newest first) and, for <see cref="Version"/> (the newest release
/// when not given), the package's description, README, default values and schema. The package is read through
/// <see cref="IChartPackages"/> (cached by the reader); when the repository cannot serve it the versions are still
/// answered, with <see cref="ChartDetail.PackageProblem"/> saying why.
/// </summary>
public sealed record GetChart(Guid WorkspaceId, string Repository, string Chart, string? Version = null) : IRequest<ChartDetail>;

public sealed record ChartDetail(
    Guid RepositoryId, string Repository, ChartRepositoryKind Kind, string RepositoryUrl, string Chart, string Version,
    IReadOnlyList<ChartVersionItem> Versions, ChartPackage? Package, string? PackageProblem);

public sealed record ChartVersionItem(string Version, string? AppVersion, string? KubeVersion, DateTimeOffset? Created, bool Deprecated);

public sealed class GetChartValidator : AbstractValidator<GetChart>
{
    public GetChartValidator()
    {
        RuleFor(x => x.Repository).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Chart).NotEmpty().MaximumLength(250);
        RuleFor(x => x.Version).MaximumLength(128);
    }
}

public static class GetChartHandler
{
    public static async Task<Result<ChartDetail>> Handle(GetChart query, Actor actor, IQuerySession session, IChartPackages packages, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } refused) return refused;
        var repository = await session.Query<ChartRepositoryView>().Where(r => r.Name == query.Repository && !r.Removed).FirstOrDefaultAsync(ct);
        // A repository the workspace may not see does not exist for it.
        if (repository is null || !repository.VisibleTo(query.WorkspaceId)) return Failure.NotFound(ChartCatalogAccess.NoSuchChart);
        var versions = await session.Query<ChartVersionEntry>()
            .Where(v => v.RepositoryId == repository.Id && v.Chart == query.Chart)
            .OrderByDescending(v => v.SortKey).ToListAsync(ct);
        if (versions.Count == 0) return Failure.NotFound(ChartCatalogAccess.NoSuchChart);

        ChartVersionEntry? chosen;
        if (query.Version is { Length: > 0 } wanted)
        {
            chosen = versions.FirstOrDefault(v => v.Version == wanted);
            if (chosen is null) return Failure.NotFound($"The chart {query.Chart} has no version {wanted} in {repository.Name}.");
        }
        else chosen = versions.FirstOrDefault(v => ChartVersions.TryParse(v.Version, out var p) && p.Pre is null) ?? versions[0];

        var package = await packages.GetAsync(new ChartReference(repository.Url, repository.Kind, query.Chart, chosen.Version), ct);
        return new ChartDetail(repository.Id, repository.Name, repository.Kind, repository.Url, query.Chart, chosen.Version,
            [.. versions.Select(v => new ChartVersionItem(v.Version, v.AppVersion, v.KubeVersion, v.Created, v.Deprecated))],
            package.Value, package.Failure?.Message);
    }
}
