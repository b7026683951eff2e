using Marten;

namespace Cocktail.Application.Charts.Refreshing;

/// <summary>
/// Replaces what a repository lists (a summary per chart and every version) with a fresh index, in the caller's
/// session, so adding a repository and its first listing commit together. An unchanged index (same digest) is left.
/// </summary>
public static class ChartIndexStore
{
    public static async Task<ChartRepositoryRefresh> StoreAsync(IDocumentSession session, Guid repositoryId, string repositoryName, ChartIndex index,
        DateTimeOffset at, CancellationToken ct)
    {
        var previous = await session.LoadAsync<ChartRepositoryRefresh>(repositoryId, ct);
        var versions = index.Entries.Where(e => ChartVersions.TryParse(e.Version, out _))
            .GroupBy(e => (e.Chart, e.Version)).Select(g => g.First()).ToList();
        var charts = versions.GroupBy(v => v.Chart).ToList();
        var refresh = new ChartRepositoryRefresh
        {
            Id = repositoryId, At = at, SucceededAt = at, Digest = index.Digest, Charts = charts.Count, Versions = versions.Count,
        };
        session.Store(refresh);
        if (previous?.Digest == index.Digest && previous.Error is null) return refresh;

        session.DeleteWhere<ChartSummary>(c => c.RepositoryId == repositoryId);
        session.DeleteWhere<ChartVersionEntry>(v => v.RepositoryId == repositoryId);
        foreach (var chart in charts)
        {
            var ordered = chart.OrderByDescending(v => ChartVersions.SortKey(v.Version), StringComparer.Ordinal).ToList();
            // The newest release, as `helm search repo` shows without --devel; a chart with pre-releases only shows its newest.
            var latest = ordered.FirstOrDefault(v => ChartVersions.TryParse(v.Version, out var p) && p.Pre is null) ?? ordered[0];
            session.Store(new ChartSummary
            {
                Id = ChartSummary.IdOf(repositoryId, chart.Key), RepositoryId = repositoryId, RepositoryName = repositoryName, Chart = chart.Key,
                LatestVersion = latest.Version, AppVersion = latest.AppVersion, Description = Shorten(latest.Description, 1000), Icon = latest.Icon,
                Keywords = [.. latest.Keywords.Take(20).Select(k => Shorten(k, 100)!)], Deprecated = latest.Deprecated, VersionCount = ordered.Count,
                Created = latest.Created,
                SearchText = string.Join(' ', [chart.Key, latest.Description ?? "", .. latest.Keywords.Take(20)]).ToLowerInvariant(),
            });
            foreach (var v in ordered)
                session.Store(new ChartVersionEntry
                {
                    Id = ChartVersionEntry.IdOf(repositoryId, v.Chart, v.Version), RepositoryId = repositoryId, Chart = v.Chart, Version = v.Version,
                    SortKey = ChartVersions.SortKey(v.Version), AppVersion = v.AppVersion, Description = Shorten(v.Description, 1000),
                    KubeVersion = v.KubeVersion, Digest = v.Digest, Created = v.Created, Deprecated = v.Deprecated,
                });
        }
        return refresh;
    }

    /// <summary>A failed refresh keeps the last good listing and says why.</summary>
    public static async Task<ChartRepositoryRefresh> FailedAsync(IDocumentSession session, Guid repositoryId, string error, DateTimeOffset at, CancellationToken ct)
    {
        var refresh = await session.LoadAsync<ChartRepositoryRefresh>(repositoryId, ct) ?? new ChartRepositoryRefresh { Id = repositoryId };
        refresh.At = at;
        refresh.Error = error;
        session.Store(refresh);
        return refresh;
    }

    public static void Forget(IDocumentSession session, Guid repositoryId)
    {
        session.DeleteWhere<ChartSummary>(c => c.RepositoryId == repositoryId);
        session.DeleteWhere<ChartVersionEntry>(v => v.RepositoryId == repositoryId);
        session.Delete<ChartRepositoryRefresh>(repositoryId);
    }

    private static string? Shorten(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
