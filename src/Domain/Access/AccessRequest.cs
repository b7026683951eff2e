using Cocktail.Domain.Common;

namespace Cocktail.Domain.Access;

/// <summary>The <see cref="Approval"/> state under the name the read model and the API have always used (same values).</summary>
public enum AccessRequestState { Pending = (int)ApprovalState.Pending, Approved = (int)ApprovalState.Approved, Rejected = (int)ApprovalState.Rejected }

public sealed record AccessRequested(
    Guid RequestId, Guid UserId, string UserName, Guid ClusterId, string ClusterName, AccessScope Scope, Guid? ServiceMapId,
    string? ServiceMapName, Guid? WorkspaceId, AccessRole Role, TimeSpan Duration, string Reason, DateTimeOffset RequestedAt);

public sealed record AccessRequestApproved(Guid RequestId, Guid GrantId, Guid UserId, ActorRef ApprovedBy, DateTimeOffset ApprovedAt);

public sealed record AccessRequestRejected(Guid RequestId, Guid UserId, string Reason, ActorRef RejectedBy, DateTimeOffset RejectedAt);

/// <summary>Just-in-time access: a user asks, an approver decides; approval creates the grant.</summary>
public sealed record AccessRequest(
    Guid Id, Guid UserId, Guid ClusterId, AccessScope Scope, Guid? ServiceMapId, AccessRole Role, TimeSpan Duration, string Reason,
    Approval Approval)
{
    public AccessRequestState State => (AccessRequestState)Approval.State;

    public static Decision Open(Guid id, Guid userId, string userName, Guid clusterId, string clusterName, AccessScope scope,
        Guid? serviceMapId, string? serviceMapName, Guid? workspaceId, AccessRole role, TimeSpan duration, TimeSpan maxDuration,
        string reason, DateTimeOffset at)
    {
        if (duration <= TimeSpan.Zero) return DomainError.Invalid("Ask for some time.", "duration");
        if (duration > maxDuration) return DomainError.Invalid($"Access lasts at most {maxDuration.TotalDays:0.#} days.", "duration");
        if (scope == AccessScope.ServiceMap && role == AccessRole.ClusterAdmin)
            return DomainError.Invalid("cluster-admin is a whole-cluster role; in a service map use view, edit or admin.", "role");
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the access is needed.", "reason");
        return Decision.Accept(new AccessRequested(id, userId, userName, clusterId, clusterName, scope, serviceMapId, serviceMapName,
            workspaceId, role, duration, reason.Trim(), at));
    }

    /// <summary>
    /// Approval names the grant it creates: the caller picks the grant's id first, decides here, and starts the grant's
    /// stream with that id only when this accepts.
    /// </summary>
    public Decision Approve(Guid grantId, ActorRef by, DateTimeOffset at) =>
        Approval.Approve(by, "Nobody approves their own access request.", () => new AccessRequestApproved(Id, grantId, UserId, by, at));

    public Decision Reject(string reason, ActorRef by, DateTimeOffset at) =>
        Approval.Reject(reason, why => new AccessRequestRejected(Id, UserId, why, by, at));

    /// <summary>The grant an approval starting at <paramref name="validFrom"/> creates lasts what was asked for.</summary>
    public DateTimeOffset GrantEndsAt(DateTimeOffset validFrom) => validFrom + Duration;

    public static AccessRequest Create(AccessRequested e) =>
        new(e.RequestId, e.UserId, e.ClusterId, e.Scope, e.ServiceMapId, e.Role, e.Duration, e.Reason, Approval.Pending(e.UserId));
    public AccessRequest Apply(AccessRequestApproved _) => this with { Approval = Approval.Approved() };
    public AccessRequest Apply(AccessRequestRejected _) => this with { Approval = Approval.Rejected() };
}
