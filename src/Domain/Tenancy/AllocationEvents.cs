using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

// A cluster's allocation stream: which workspaces may use the cluster, with what quota, and how each workspace
// divides its quota among its service maps. One stream per cluster, so every quota rule on a cluster is checked
// against one consistent state.

public sealed record ClusterAssignedToWorkspace(
    Guid ClusterId, string ClusterName, Guid WorkspaceId, string WorkspaceName, AssignmentMode Mode, Quota Quota,
    ActorRef AssignedBy, DateTimeOffset AssignedAt);

public sealed record WorkspaceAssignmentChanged(
    Guid ClusterId, string ClusterName, Guid WorkspaceId, string WorkspaceName, AssignmentMode FromMode, AssignmentMode ToMode,
    Quota FromQuota, Quota ToQuota, Guid? QuotaRequestId, ActorRef ChangedBy, DateTimeOffset ChangedAt);

/// <summary>Reason is why, when the remover said; null on events recorded before it existed.</summary>
public sealed record ClusterUnassignedFromWorkspace(
    Guid ClusterId, string ClusterName, Guid WorkspaceId, string WorkspaceName, ActorRef UnassignedBy, DateTimeOffset UnassignedAt, string? Reason = null);

public sealed record ServiceMapQuotaAllocated(
    Guid ClusterId, Guid WorkspaceId, Guid ServiceMapId, string ServiceMapName, string Namespace, Quota Quota,
    ActorRef AllocatedBy, DateTimeOffset AllocatedAt);

public sealed record ServiceMapQuotaChanged(
    Guid ClusterId, Guid WorkspaceId, Guid ServiceMapId, string ServiceMapName, Quota From, Quota To, Guid? QuotaRequestId,
    ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record ServiceMapQuotaReleased(
    Guid ClusterId, Guid WorkspaceId, Guid ServiceMapId, string ServiceMapName, string Namespace, ActorRef ReleasedBy, DateTimeOffset ReleasedAt);

/// <summary>
/// A platform admin set the loosest Pod Security level the workspace's service maps may have on the cluster.
/// Null is the mode's default (Shared: baseline, Dedicated: privileged); assignments recorded before this event
/// existed have that default.
/// </summary>
public sealed record AssignmentPodSecurityCeilingChanged(
    Guid ClusterId, string ClusterName, Guid WorkspaceId, string WorkspaceName, PodSecurityLevel? From, PodSecurityLevel? To,
    ActorRef ChangedBy, DateTimeOffset ChangedAt);
