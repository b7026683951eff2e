using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary>The <see cref="Approval"/> state under the name the read model and the API have always used (same values).</summary>
public enum QuotaRequestState { Pending = (int)ApprovalState.Pending, Approved = (int)ApprovalState.Approved, Rejected = (int)ApprovalState.Rejected }

public sealed record QuotaRequested(
    Guid RequestId, Guid WorkspaceId, string WorkspaceName, Guid ClusterId, string ClusterName, Guid? ServiceMapId,
    string? ServiceMapName, Quota Current, Quota Requested, string Reason, ActorRef RequestedBy, DateTimeOffset RequestedAt);

public sealed record QuotaRequestApproved(Guid RequestId, Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, Quota Granted, ActorRef ApprovedBy, DateTimeOffset ApprovedAt);

public sealed record QuotaRequestRejected(Guid RequestId, Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, string Reason, ActorRef RejectedBy, DateTimeOffset RejectedAt);

/// <summary>A workspace member asks for more quota (for the workspace on a cluster, or for one service map).</summary>
public sealed record QuotaRequest(Guid Id, Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, Quota Requested, Approval Approval)
{
    public Guid RequestedBy => Approval.RequestedBy;
    public QuotaRequestState State => (QuotaRequestState)Approval.State;

    public static Decision Open(Guid id, Guid workspaceId, string workspaceName, Guid clusterId, string clusterName, Guid? serviceMapId,
        string? serviceMapName, Quota current, Quota requested, string reason, ActorRef by, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the quota is needed.", "reason");
        if (requested == current) return DomainError.Invalid("The requested quota is the current one.", "quota");
        return Decision.Accept(new QuotaRequested(id, workspaceId, workspaceName, clusterId, clusterName, serviceMapId, serviceMapName,
            current, requested, reason.Trim(), by, at));
    }

    public Decision Approve(ActorRef by, DateTimeOffset at) =>
        Approval.Approve(by, "Nobody approves their own request.",
            () => new QuotaRequestApproved(Id, WorkspaceId, ClusterId, ServiceMapId, Requested, by, at));

    public Decision Reject(string reason, ActorRef by, DateTimeOffset at) =>
        Approval.Reject(reason, why => new QuotaRequestRejected(Id, WorkspaceId, ClusterId, ServiceMapId, why, by, at));

    public static QuotaRequest Create(QuotaRequested e) =>
        new(e.RequestId, e.WorkspaceId, e.ClusterId, e.ServiceMapId, e.Requested, Approval.Pending(e.RequestedBy.Id));
    public QuotaRequest Apply(QuotaRequestApproved _) => this with { Approval = Approval.Approved() };
    public QuotaRequest Apply(QuotaRequestRejected _) => this with { Approval = Approval.Rejected() };
}
