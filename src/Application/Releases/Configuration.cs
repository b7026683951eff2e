using Cocktail.Domain.Charts;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Releases;

public static class Configuration
{
    /// <summary>Chart releases (cluster addons and team releases): their streams and their read model.</summary>
    public static void AddReleases(this StoreOptions options)
    {
        options.Projections.Snapshot<ChartReleaseView>(SnapshotLifecycle.Inline);
        options.Schema.For<ChartReleaseView>().Index(v => v.ClusterId).Index(v => v.WorkspaceId!).Index(v => v.Addon!);
        options.Events.AddEventTypes([
            typeof(ChartReleaseInstallRequested), typeof(ChartReleaseValuesChanged), typeof(ChartReleaseUpgradeRequested),
            typeof(ChartReleaseRollbackRequested), typeof(ChartReleaseUninstallRequested), typeof(ChartReleaseApplied),
            typeof(ChartReleaseApplyFailed), typeof(ChartReleaseDeployed), typeof(ChartReleaseFailed), typeof(ChartReleaseRemediated),
            typeof(ChartReleaseUninstalled), typeof(FluxInstalled),
        ]);
    }
}
