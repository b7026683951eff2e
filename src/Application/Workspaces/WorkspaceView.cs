using Cocktail.Domain.Tenancy;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Cocktail.Application.Workspaces;

public sealed record MemberView(Guid UserId, string UserName, WorkspaceRole Role);

public sealed class WorkspaceClusterView
{
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public AssignmentMode Mode { get; set; }
    public Quota Quota { get; set; } = Quota.None;
    /// <summary>The Pod Security ceiling a platform admin set; null is the mode's default.</summary>
    public PodSecurityLevel? MaxPodSecurity { get; set; }
    /// <summary>The loosest Pod Security level the workspace's service maps may have on this cluster.</summary>
    public PodSecurityLevel PodSecurityCeiling => MaxPodSecurity ?? PodSecurityBounds.DefaultCeiling(Mode);
    /// <summary>Each service map's quota on this cluster, so that the allocated sum can be shown.</summary>
    public Dictionary<Guid, Quota> ServiceMapQuotas { get; set; } = [];

    public QuotaTotals Allocated() => Quota.Sum(ServiceMapQuotas.Values);
}

/// <summary>A workspace with its members and its clusters (mode, quota, allocated to service maps).</summary>
public sealed class WorkspaceView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? Color { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<MemberView> Members { get; set; } = [];
    /// <summary>Member ids alone, for "which workspaces is this user in" queries.</summary>
    public List<Guid> MemberIds { get; set; } = [];
    public List<WorkspaceClusterView> Clusters { get; set; } = [];
    public int ServiceMapCount { get; set; }
    public long Version { get; set; }

    public WorkspaceRole? RoleOf(Guid userId) => Members.FirstOrDefault(m => m.UserId == userId)?.Role;
    public WorkspaceClusterView? Cluster(Guid clusterId) => Clusters.FirstOrDefault(c => c.ClusterId == clusterId);
}

/// <summary>
/// Built from the workspace's own stream and from every cluster allocation stream's events about it, inline, so the
/// console sees a change at once.
/// </summary>
public sealed partial class WorkspaceViewProjection : MultiStreamProjection<WorkspaceView, Guid>
{
    public WorkspaceViewProjection()
    {
        Identity<WorkspaceCreated>(e => e.WorkspaceId);
        Identity<WorkspaceDetailsChanged>(e => e.WorkspaceId);
        Identity<WorkspaceMemberAdded>(e => e.WorkspaceId);
        Identity<WorkspaceMemberRoleChanged>(e => e.WorkspaceId);
        Identity<WorkspaceMemberRemoved>(e => e.WorkspaceId);
        Identity<WorkspaceDeleted>(e => e.WorkspaceId);
        Identity<ClusterAssignedToWorkspace>(e => e.WorkspaceId);
        Identity<WorkspaceAssignmentChanged>(e => e.WorkspaceId);
        Identity<ClusterUnassignedFromWorkspace>(e => e.WorkspaceId);
        Identity<AssignmentPodSecurityCeilingChanged>(e => e.WorkspaceId);
        Identity<ServiceMapQuotaAllocated>(e => e.WorkspaceId);
        Identity<ServiceMapQuotaChanged>(e => e.WorkspaceId);
        Identity<ServiceMapQuotaReleased>(e => e.WorkspaceId);
    }

    public WorkspaceView Create(IEvent<WorkspaceCreated> e) => new()
    {
        Id = e.Data.WorkspaceId, Name = e.Data.Name, Description = e.Data.Description, Color = e.Data.Color,
        CreatedAt = e.Data.CreatedAt, CreatedBy = e.Data.CreatedBy.Name, Version = e.Version,
    };

    public void Apply(WorkspaceDetailsChanged e, WorkspaceView view)
    {
        view.Name = e.Name;
        view.Description = e.Description;
        view.Color = e.Color;
    }

    public void Apply(WorkspaceMemberAdded e, WorkspaceView view)
    {
        view.Members.Add(new MemberView(e.UserId, e.UserName, e.Role));
        view.MemberIds.Add(e.UserId);
    }

    public void Apply(WorkspaceMemberRoleChanged e, WorkspaceView view)
    {
        var index = view.Members.FindIndex(m => m.UserId == e.UserId);
        if (index >= 0) view.Members[index] = view.Members[index] with { Role = e.To };
    }

    public void Apply(WorkspaceMemberRemoved e, WorkspaceView view)
    {
        view.Members.RemoveAll(m => m.UserId == e.UserId);
        view.MemberIds.Remove(e.UserId);
    }

    public bool ShouldDelete(WorkspaceDeleted _) => true;

    public void Apply(ClusterAssignedToWorkspace e, WorkspaceView view) =>
        view.Clusters.Add(new WorkspaceClusterView { ClusterId = e.ClusterId, ClusterName = e.ClusterName, Mode = e.Mode, Quota = e.Quota });

    public void Apply(WorkspaceAssignmentChanged e, WorkspaceView view)
    {
        if (view.Cluster(e.ClusterId) is not { } cluster) return;
        cluster.Mode = e.ToMode;
        cluster.Quota = e.ToQuota;
    }

    public void Apply(AssignmentPodSecurityCeilingChanged e, WorkspaceView view)
    {
        if (view.Cluster(e.ClusterId) is { } cluster) cluster.MaxPodSecurity = e.To;
    }

    public void Apply(ClusterUnassignedFromWorkspace e, WorkspaceView view) => view.Clusters.RemoveAll(c => c.ClusterId == e.ClusterId);

    public void Apply(ServiceMapQuotaAllocated e, WorkspaceView view)
    {
        view.Cluster(e.ClusterId)?.ServiceMapQuotas.TryAdd(e.ServiceMapId, e.Quota);
        view.ServiceMapCount++;
    }

    public void Apply(ServiceMapQuotaChanged e, WorkspaceView view)
    {
        if (view.Cluster(e.ClusterId) is { } cluster) cluster.ServiceMapQuotas[e.ServiceMapId] = e.To;
    }

    public void Apply(ServiceMapQuotaReleased e, WorkspaceView view)
    {
        view.Cluster(e.ClusterId)?.ServiceMapQuotas.Remove(e.ServiceMapId);
        view.ServiceMapCount--;
    }
}
