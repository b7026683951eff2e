using Cocktail.Domain.Common;

namespace Cocktail.Domain.Access;

/// <summary>
/// A user may reach a cluster (or one service map's namespace) with a role, from <c>ValidFrom</c> until
/// <c>ValidUntil</c>. <c>RequestId</c>/<c>ApprovedBy</c> are set when it came from an approved request.
/// </summary>
public sealed record ClusterAccessGranted(
    Guid GrantId, Guid ClusterId, string ClusterName, AccessScope Scope, Guid? ServiceMapId, string? Namespace, Guid? WorkspaceId,
    Guid UserId, string UserName, AccessRole Role, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, string Reason,
    string ServiceAccount, Guid? RequestId, ActorRef GrantedBy, DateTimeOffset GrantedAt);

/// <summary>The ServiceAccount and its binding exist on the cluster.</summary>
public sealed record AccessGrantActivated(Guid GrantId, Guid ClusterId, Guid UserId, string ServiceAccount, DateTimeOffset ActivatedAt);

/// <summary>The cluster refused to set the grant up (recorded once per distinct refusal); it is tried again.</summary>
public sealed record AccessGrantActivationFailed(Guid GrantId, Guid ClusterId, string Error, DateTimeOffset At);

public sealed record AccessGrantRevoked(Guid GrantId, Guid ClusterId, Guid UserId, string UserName, string Reason, ActorRef RevokedBy, DateTimeOffset RevokedAt);

public sealed record AccessGrantExpired(Guid GrantId, Guid ClusterId, Guid UserId, string UserName, DateTimeOffset ExpiredAt);

/// <summary>
/// The ServiceAccount is gone from the cluster: every token issued for the grant is refused from now on. Cocktail
/// removes it (the actor is the system); <c>Reason</c> says why (revoked, expired), null on events recorded before it.
/// </summary>
public sealed record AccessGrantRemovedFromCluster(Guid GrantId, Guid ClusterId, string ServiceAccount, DateTimeOffset RemovedAt, string? Reason = null);

public sealed record AccessGrantExpiryWarned(Guid GrantId, Guid UserId, string UserName, DateTimeOffset ValidUntil, DateTimeOffset WarnedAt);

/// <summary>A kubeconfig with a fresh token was handed out (to the grantee, or to a platform admin).</summary>
public sealed record KubeconfigIssued(Guid GrantId, Guid ClusterId, Guid UserId, DateTimeOffset TokenExpiresAt, ActorRef IssuedTo, DateTimeOffset IssuedAt);
