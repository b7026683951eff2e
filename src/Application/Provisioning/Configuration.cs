using Cocktail.Domain.Provisioning;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Provisioning;

public static class Configuration
{
    /// <summary>Clusters created through Cluster API: their streams, their read model, and the management clusters' events.</summary>
    public static void AddProvisioning(this StoreOptions options)
    {
        options.Projections.Snapshot<ProvisionedClusterView>(SnapshotLifecycle.Inline);
        options.Schema.For<ProvisionedClusterView>().Index(v => v.ManagementClusterId).Index(v => v.Name);
        options.Events.AddEventTypes([
            typeof(ClusterProvisionRequested), typeof(ClusterObjectsApplied), typeof(ClusterObjectsApplyFailed),
            typeof(ClusterConditionChanged), typeof(ClusterProvisioned), typeof(ClusterProvisioningFailed),
            typeof(ProvisionedClusterRegistered), typeof(ClusterUpgradeRequested), typeof(ClusterUpgradeStepStarted),
            typeof(ClusterUpgradeStepCompleted), typeof(ClusterUpgraded), typeof(ClusterUpgradeFailed), typeof(NodePoolScaled),
            typeof(NodePoolAutoscalingChanged), typeof(NodePoolAdded), typeof(NodePoolRemoved), typeof(ClusterDeletionRequested),
            typeof(ClusterDeleted),
            // On the registered cluster's own stream (ClusterView shows them).
            typeof(ClusterApiManagementEnabled), typeof(ClusterApiManagementDisabled),
        ]);
    }
}
