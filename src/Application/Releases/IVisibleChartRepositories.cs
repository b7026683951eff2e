using Cocktail.Application.Addons;
using Cocktail.Domain.Charts;

namespace Cocktail.Application.Releases;

/// <summary>A chart repository a workspace may install from.</summary>
public sealed record VisibleChartRepository(string Name, string Url, ChartRepositoryKind Kind);

/// <summary>
/// The chart repositories a workspace may install from, by name or URL. The platform's team catalog (chart
/// repositories with their visibility, issue 20 part B) answers this; until it is wired in, the repositories the
/// platform configured for addons (<c>Cocktail:Addons:Repositories</c>) are the ones every workspace may use.
/// </summary>
public interface IVisibleChartRepositories
{
    Task<VisibleChartRepository?> FindAsync(Guid workspaceId, string nameOrUrl, CancellationToken ct);
}

/// <summary>The addon repositories, visible to every workspace (see <see cref="IVisibleChartRepositories"/>).</summary>
public sealed class AddonChartRepositories(AddonCatalog catalog) : IVisibleChartRepositories
{
    public Task<VisibleChartRepository?> FindAsync(Guid workspaceId, string nameOrUrl, CancellationToken ct)
    {
        var found = catalog.Repositories.FirstOrDefault(r =>
            string.Equals(r.Key, nameOrUrl, StringComparison.Ordinal) || string.Equals(r.Url.TrimEnd('/'), nameOrUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        return Task.FromResult(found.Key is null ? null : new VisibleChartRepository(found.Key, found.Url, found.Kind));
    }
}
