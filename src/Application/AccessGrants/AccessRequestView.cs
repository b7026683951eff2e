using Cocktail.Domain.Access;

namespace Cocktail.Application.AccessGrants;

/// <summary>An access request as inboxes and the requester's page show it.</summary>
public sealed class AccessRequestView
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string UserName { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public AccessScope Scope { get; set; }
    public Guid? ServiceMapId { get; set; }
    public string? ServiceMapName { get; set; }
    public Guid? WorkspaceId { get; set; }
    public AccessRole Role { get; set; }
    public TimeSpan Duration { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public AccessRequestState State { get; set; }
    public Guid? GrantId { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? RejectionReason { get; set; }

    public static AccessRequestView Create(AccessRequested e) => new()
    {
        Id = e.RequestId, UserId = e.UserId, UserName = e.UserName, ClusterId = e.ClusterId, ClusterName = e.ClusterName, Scope = e.Scope,
        ServiceMapId = e.ServiceMapId, ServiceMapName = e.ServiceMapName, WorkspaceId = e.WorkspaceId, Role = e.Role, Duration = e.Duration,
        Reason = e.Reason, RequestedAt = e.RequestedAt,
    };

    public void Apply(AccessRequestApproved e) { State = AccessRequestState.Approved; GrantId = e.GrantId; DecidedBy = e.ApprovedBy.Name; DecidedAt = e.ApprovedAt; }
    public void Apply(AccessRequestRejected e) { State = AccessRequestState.Rejected; DecidedBy = e.RejectedBy.Name; DecidedAt = e.RejectedAt; RejectionReason = e.Reason; }
}
