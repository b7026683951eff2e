using Cocktail.Application.Clusters.Listing;
using Cocktail.Web.Session;

namespace Cocktail.Web.Components.Pages.Provisioning;

/// <summary>The registered clusters marked as Cluster API management clusters, by name.</summary>
public static class ManagementClusters
{
    /// <summary>
    /// Read from the cluster list (its view records the mark): a platform has tens of registered clusters, read in pages
    /// of the largest size, up to a bound so a huge fleet cannot make the wizard slow.
    /// </summary>
    public static async Task<List<(Guid Id, string Name)>> ListAsync(ConsoleSession session, CancellationToken ct = default)
    {
        const int pageSize = 500, maxPages = 10;
        var found = new List<(Guid Id, string Name)>();
        for (var page = 1; page <= maxPages; page++)
        {
            var result = await session.SendAsync(new ListClusters(Page: page, PageSize: pageSize), ct);
            if (result.Value is not { } clusters) break;
            found.AddRange(clusters.Items.Where(c => c.Cluster.ClusterApiManagement).Select(c => (c.Cluster.Id, c.Cluster.Name)));
            if (clusters.Items.Count < pageSize) break;
        }
        return [.. found.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }
}
