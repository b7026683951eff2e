using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workspaces;

public static class Configuration
{
    /// <summary>Workspaces and cluster allocations (service maps and quota requests have their own configuration).</summary>
    public static void AddTenancy(this StoreOptions options)
    {
        options.Projections.Add<WorkspaceViewProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<WorkspaceView>().UniqueIndex(w => w.Name);
        options.Events.AddEventTypes([
            typeof(WorkspaceCreated), typeof(WorkspaceDetailsChanged), typeof(WorkspaceMemberAdded), typeof(WorkspaceMemberRoleChanged),
            typeof(WorkspaceMemberRemoved), typeof(WorkspaceDeleted), typeof(ClusterAssignedToWorkspace), typeof(WorkspaceAssignmentChanged),
            typeof(ClusterUnassignedFromWorkspace), typeof(ServiceMapQuotaAllocated), typeof(ServiceMapQuotaChanged),
            typeof(ServiceMapQuotaReleased), typeof(AssignmentPodSecurityCeilingChanged),
        ]);
    }
}
