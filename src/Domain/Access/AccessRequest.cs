using Cocktail.Domain.Common;

namespace Cocktail.Domain.Access;

public enum AccessRequestState { Pending, Approved, Rejected }

public sealed record AccessRequested(
    Guid RequestId, Guid UserId, string UserName, Guid ClusterId, string ClusterName, AccessScope Scope, Guid? ServiceMapId,
    string? ServiceMapName, Guid? WorkspaceId, AccessRole Role, TimeSpan Duration, string Reason, DateTimeOffset RequestedAt);

public sealed record AccessRequestApproved(Guid RequestId, Guid GrantId, Guid UserId, ActorRef ApprovedBy, DateTimeOffset ApprovedAt);

public sealed record AccessRequestRejected(Guid RequestId, Guid UserId, string Reason, ActorRef RejectedBy, DateTimeOffset RejectedAt);

/// <summary>Just-in-time access: a user asks, an approver decides; approval creates the grant.</summary>
public sealed record AccessRequest(
    Guid Id, Guid UserId, Guid ClusterId, AccessScope Scope, Guid? ServiceMapId, AccessRole Role, TimeSpan Duration, string Reason,
    AccessRequestState State)
{
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

    public Decision Approve(Guid grantId, ActorRef by, DateTimeOffset at) => State switch
    {
        AccessRequestState.Pending when by.Id == UserId => DomainError.Forbidden("Nobody approves their own access request."),
        AccessRequestState.Pending => Decision.Accept(new AccessRequestApproved(Id, grantId, UserId, by, at)),
        _ => DomainError.Conflict($"The request is already {State.ToString().ToLowerInvariant()}."),
    };

    public Decision Reject(string reason, ActorRef by, DateTimeOffset at)
    {
        if (State != AccessRequestState.Pending) return DomainError.Conflict($"The request is already {State.ToString().ToLowerInvariant()}.");
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the request is rejected.", "reason");
        return Decision.Accept(new AccessRequestRejected(Id, UserId, reason.Trim(), by, at));
    }

    public static AccessRequest Create(AccessRequested e) =>
        new(e.RequestId, e.UserId, e.ClusterId, e.Scope, e.ServiceMapId, e.Role, e.Duration, e.Reason, AccessRequestState.Pending);
    public AccessRequest Apply(AccessRequestApproved _) => this with { State = AccessRequestState.Approved };
    public AccessRequest Apply(AccessRequestRejected _) => this with { State = AccessRequestState.Rejected };
}
