using Cocktail.Application.QuotaRequests;
using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Workspaces;

public static class Configuration
{
    /// <summary>Workspaces, cluster allocations (with their service maps' quotas) and quota requests.</summary>
    public static void AddTenancy(this StoreOptions options)
    {
        options.Projections.Add<WorkspaceViewProjection>(ProjectionLifecycle.Inline);
        options.Projections.Snapshot<QuotaRequestView>(SnapshotLifecycle.Inline);
        options.Schema.For<WorkspaceView>().UniqueIndex(w => w.Name);
        options.Schema.For<QuotaRequestView>().Index(r => r.WorkspaceId);
        options.Events.AddEventTypes([
            typeof(WorkspaceCreated), typeof(WorkspaceDetailsChanged), typeof(WorkspaceMemberAdded), typeof(WorkspaceMemberRoleChanged),
            typeof(WorkspaceMemberRemoved), typeof(WorkspaceDeleted), typeof(ClusterAssignedToWorkspace), typeof(WorkspaceAssignmentChanged),
            typeof(ClusterUnassignedFromWorkspace), typeof(ServiceMapQuotaAllocated), typeof(ServiceMapQuotaChanged),
            typeof(ServiceMapQuotaReleased), typeof(QuotaRequested), typeof(QuotaRequestApproved), typeof(QuotaRequestRejected), typeof(AssignmentPodSecurityCeilingChanged),
        ]);
    }
}
