using Cocktail.Application.Policies;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Workloads;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workloads;

public static class Configuration
{
    /// <summary>Workloads with their revisions, and the security policies of workspaces and service maps.</summary>
    public static void AddWorkloads(this StoreOptions options)
    {
        options.Projections.Snapshot<WorkloadView>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<SecurityPolicyView>(SnapshotLifecycle.Inline);
        options.Schema.For<WorkloadView>().Index(w => w.ServiceMapId).Index(w => w.ClusterId).Index(w => w.WorkspaceId);
        options.Schema.For<SecurityPolicyView>().Index(p => p.TargetId);
        options.Events.AddEventTypes([
            typeof(WorkloadDeployed), typeof(WorkloadUpdated), typeof(WorkloadScaled), typeof(WorkloadRolledBack), typeof(WorkloadDeleted),
            typeof(WorkloadRolloutChanged), typeof(WorkloadDriftDetected), typeof(WorkloadDriftCleared), typeof(SecurityPolicyChanged),
        ]);
    }
}
