using Cocktail.Application.Releases.Reconciling;
using Cocktail.Domain.Charts;
using Wolverine.Marten;

namespace Cocktail.Infrastructure.Releases;

/// <summary>
/// The chart-release events that need the cluster to change, each turned into the reconciler's message by Marten's
/// event forwarding: the message goes into Wolverine's durable outbox in the same transaction as the event, so it is
/// sent only once the change committed and survives a crash (the command handlers touch no cluster).
/// </summary>
internal static class ReleaseEventForwarding
{
    public static void Forward(MartenIntegration marten)
    {
        marten.SubscribeToEvent<ChartReleaseInstallRequested>().TransformedTo(e => new ApplyChartRelease(e.Data.ReleaseId));
        marten.SubscribeToEvent<ChartReleaseValuesChanged>().TransformedTo(e => new ApplyChartRelease(e.Data.ReleaseId));
        marten.SubscribeToEvent<ChartReleaseUpgradeRequested>().TransformedTo(e => new ApplyChartRelease(e.Data.ReleaseId));
        marten.SubscribeToEvent<ChartReleaseRollbackRequested>().TransformedTo(e => new ApplyChartRelease(e.Data.ReleaseId));
        marten.SubscribeToEvent<ChartReleaseUninstallRequested>().TransformedTo(e => new DeleteChartRelease(e.Data.ReleaseId));
    }
}
