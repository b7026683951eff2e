using Cocktail.Application.Provisioning.Reconciling;
using Cocktail.Domain.Provisioning;
using Wolverine.Marten;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>
/// The provisioned-cluster events that need the management cluster to change, each turned into the reconciler's
/// message by Marten's event forwarding: the message goes into Wolverine's durable outbox in the same transaction
/// as the event, so it is sent only once the change committed and survives a crash (the command handlers publish
/// nothing themselves, and nothing touches a cluster inside their transaction).
/// </summary>
internal static class ProvisioningEventForwarding
{
    public static void Forward(MartenIntegration marten)
    {
        marten.SubscribeToEvent<ClusterProvisionRequested>().TransformedTo(e => new ApplyProvisionedCluster(e.Data.ProvisionId));
        marten.SubscribeToEvent<NodePoolScaled>().TransformedTo(e => new ApplyProvisionedCluster(e.Data.ProvisionId));
        marten.SubscribeToEvent<NodePoolAutoscalingChanged>().TransformedTo(e => new ApplyProvisionedCluster(e.Data.ProvisionId));
        marten.SubscribeToEvent<NodePoolAdded>().TransformedTo(e => new ApplyProvisionedCluster(e.Data.ProvisionId));
        marten.SubscribeToEvent<ClusterUpgradeStepStarted>().TransformedTo(e => new ApplyProvisionedCluster(e.Data.ProvisionId));
        marten.SubscribeToEvent<NodePoolRemoved>().TransformedTo(e => new DeleteNodePoolObjects(e.Data.ProvisionId, e.Data.Pool, e.Version - 1));
        marten.SubscribeToEvent<ClusterDeletionRequested>().TransformedTo(e => new DeleteProvisionedClusterObjects(e.Data.ProvisionId));
        marten.SubscribeToEvent<ClusterDeleted>().TransformedTo(e => new UnregisterDeletedCluster(e.Data.ProvisionId));
    }
}
