using Cocktail.Domain.Workloads;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workloads;

public static class Configuration
{
    /// <summary>Workloads with their revisions and what the cluster says of them.</summary>
    public static void AddWorkloads(this StoreOptions options)
    {
        options.Projections.Snapshot<WorkloadView>(SnapshotLifecycle.Inline);
        options.Schema.For<WorkloadView>().Index(w => w.ServiceMapId).Index(w => w.ClusterId).Index(w => w.WorkspaceId);
        options.Events.AddEventTypes([
            typeof(WorkloadDeployed), typeof(WorkloadUpdated), typeof(WorkloadScaled), typeof(WorkloadRolledBack), typeof(WorkloadDeleted),
            typeof(WorkloadRolloutChanged), typeof(WorkloadDriftDetected), typeof(WorkloadDriftCleared),
        ]);
    }
}
