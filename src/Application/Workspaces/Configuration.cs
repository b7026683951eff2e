using Cocktail.Application.QuotaRequests;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workspaces;

public static class Configuration
{
    /// <summary>Workspaces, service maps, cluster allocations and quota requests.</summary>
    public static void AddTenancy(this StoreOptions options)
    {
        options.Projections.Add<WorkspaceViewProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ServiceMapViewProjection>(ProjectionLifecycle.Inline);
        options.Projections.Snapshot<QuotaRequestView>(SnapshotLifecycle.Inline);
        options.Schema.For<WorkspaceView>().UniqueIndex(w => w.Name);
        options.Schema.For<ServiceMapView>().Index(s => s.WorkspaceId).Index(s => s.ClusterId);
        options.Schema.For<QuotaRequestView>().Index(r => r.WorkspaceId);
        options.Events.AddEventTypes([
            typeof(WorkspaceCreated), typeof(WorkspaceDetailsChanged), typeof(WorkspaceMemberAdded), typeof(WorkspaceMemberRoleChanged),
            typeof(WorkspaceMemberRemoved), typeof(WorkspaceDeleted), typeof(ClusterAssignedToWorkspace), typeof(WorkspaceAssignmentChanged),
            typeof(ClusterUnassignedFromWorkspace), typeof(ServiceMapQuotaAllocated), typeof(ServiceMapQuotaChanged),
            typeof(ServiceMapQuotaReleased), typeof(ServiceMapCreated), typeof(ServiceMapSettingsChanged), typeof(ServiceMapBecameReady),
            typeof(ServiceMapReconcileFailed), typeof(DriftCorrected), typeof(ServiceMapDeletionRequested), typeof(ServiceMapDeleted),
            typeof(QuotaRequested), typeof(QuotaRequestApproved), typeof(QuotaRequestRejected), typeof(AssignmentPodSecurityCeilingChanged),
        ]);
    }
}
