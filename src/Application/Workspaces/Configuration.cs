using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workspaces;

public static class Configuration
{
    /// <summary>Workspaces, service maps and cluster allocations (quota requests have their own configuration).</summary>
    public static void AddTenancy(this StoreOptions options)
    {
        options.Projections.Add<WorkspaceViewProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ServiceMapViewProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<WorkspaceView>().UniqueIndex(w => w.Name);
        options.Schema.For<ServiceMapView>().Index(s => s.WorkspaceId).Index(s => s.ClusterId);
        options.Events.AddEventTypes([
            typeof(WorkspaceCreated), typeof(WorkspaceDetailsChanged), typeof(WorkspaceMemberAdded), typeof(WorkspaceMemberRoleChanged),
            typeof(WorkspaceMemberRemoved), typeof(WorkspaceDeleted), typeof(ClusterAssignedToWorkspace), typeof(WorkspaceAssignmentChanged),
            typeof(ClusterUnassignedFromWorkspace), typeof(ServiceMapQuotaAllocated), typeof(ServiceMapQuotaChanged),
            typeof(ServiceMapQuotaReleased), typeof(ServiceMapCreated), typeof(ServiceMapSettingsChanged), typeof(ServiceMapBecameReady),
            typeof(ServiceMapReconcileFailed), typeof(DriftCorrected), typeof(ServiceMapDeletionRequested), typeof(ServiceMapDeleted),
            typeof(AssignmentPodSecurityCeilingChanged),
        ]);
    }
}
