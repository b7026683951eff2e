using Cocktail.Domain.Charts;
using Marten;

namespace Cocktail.Application.Charts;

/// <summary>
/// Chart repositories are event-sourced; what their indexes list (charts and versions, for search) and the last
/// refresh are documents, replaced at each refresh.
/// </summary>
public static class Configuration
{
    public static void AddChartCatalog(this StoreOptions options)
    {
        options.Projections.Snapshot<ChartRepositoryView>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        options.Schema.For<ChartRepositoryView>().Index(r => r.Name);
        options.Schema.For<ChartRepositoryRefresh>();
        options.Schema.For<ChartSummary>().Index(c => c.RepositoryId).Index(c => c.Chart);
        options.Schema.For<ChartVersionEntry>().Index(v => v.RepositoryId).Index(v => v.Chart);
        options.Events.AddEventTypes([typeof(ChartRepositoryAdded), typeof(ChartRepositoryVisibilityChanged), typeof(ChartRepositoryRemoved)]);
    }
}
