using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Marten;

namespace Cocktail.Application.Clusters.Listing;

public sealed record ClusterItem(ClusterView Cluster, ClusterSummary Summary);

/// <summary>The dashboard's list: every cluster the caller may see, with its live figures.</summary>
public sealed record ListClusters(
    ClusterProvider? Provider = null, ClusterHealth? Health = null, string? Label = null, string? Search = null,
    int Page = 1, int PageSize = 50) : IRequest<Page<ClusterItem>>;

public sealed record GetCluster(Guid ClusterId) : IRequest<ClusterItem>;

public static class ListClustersHandler
{
    public static async Task<Result<Page<ClusterItem>>> Handle(ListClusters query, Actor actor, IQuerySession session,
        IInventoryReader inventory, CancellationToken ct)
    {
        IQueryable<ClusterView> clusters = session.Query<ClusterView>();
        if (await ClusterScope.VisibleToAsync(actor, session, ct) is { } visible)
        {
            var ids = visible.ToArray();
            clusters = clusters.Where(c => ids.Contains(c.Id));
        }
        if (query.Provider is { } provider) clusters = clusters.Where(c => c.Provider == provider);
        if (query.Health is { } health) clusters = clusters.Where(c => c.Health == health);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            clusters = clusters.Where(c => c.Name.Contains(term));
        }
        if (ParseLabel(query.Label) is var (key, value))
            clusters = value is null
                ? clusters.Where(c => c.Labels.ContainsKey(key))
                : clusters.Where(c => c.Labels[key] == value);

        var page = await Paging.ToPageAsync(clusters.OrderBy(c => c.Name), query.Page, query.PageSize, ct);
        var summaries = await inventory.SummariesAsync(page.Items.Select(c => c.Id).ToArray(), ct);
        return new Page<ClusterItem>(
            page.Items.Select(c => new ClusterItem(c, summaries.GetValueOrDefault(c.Id) ?? ClusterSummary.Empty)).ToList(),
            page.Total, page.PageNumber, page.PageSize);
    }

    /// <summary>"env=prod" matches that value; "env" matches any cluster that has the label.</summary>
    private static (string Key, string? Value)? ParseLabel(string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var equals = label.IndexOf('=');
        return equals < 0 ? (label.Trim(), null) : (label[..equals].Trim(), label[(equals + 1)..].Trim());
    }
}

public static class GetClusterHandler
{
    public static async Task<Result<ClusterItem>> Handle(GetCluster query, Actor actor, IQuerySession session,
        IInventoryReader inventory, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null || !await ClusterScope.CanSeeAsync(actor, cluster.Id, session, ct)) return Failure.NotFound("No such cluster.");
        var summaries = await inventory.SummariesAsync([cluster.Id], ct);
        return new ClusterItem(cluster, summaries.GetValueOrDefault(cluster.Id) ?? ClusterSummary.Empty);
    }
}
