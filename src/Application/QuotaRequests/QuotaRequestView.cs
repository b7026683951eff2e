using Cocktail.Domain.Tenancy;

namespace Cocktail.Application.QuotaRequests;

public sealed class QuotaRequestView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public Guid? ServiceMapId { get; set; }
    public string? ServiceMapName { get; set; }
    public Quota Current { get; set; } = Quota.None;
    public Quota Requested { get; set; } = Quota.None;
    public string Reason { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    public Guid RequestedById { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public QuotaRequestState State { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? RejectionReason { get; set; }

    public static QuotaRequestView Create(QuotaRequested e) => new()
    {
        Id = e.RequestId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, ClusterId = e.ClusterId,
        ClusterName = e.ClusterName, ServiceMapId = e.ServiceMapId, ServiceMapName = e.ServiceMapName, Current = e.Current,
        Requested = e.Requested, Reason = e.Reason, RequestedBy = e.RequestedBy.Name, RequestedById = e.RequestedBy.Id,
        RequestedAt = e.RequestedAt, State = QuotaRequestState.Pending,
    };

    public void Apply(QuotaRequestApproved e) { State = QuotaRequestState.Approved; DecidedBy = e.ApprovedBy.Name; DecidedAt = e.ApprovedAt; }

    public void Apply(QuotaRequestRejected e)
    {
        State = QuotaRequestState.Rejected;
        DecidedBy = e.RejectedBy.Name;
        DecidedAt = e.RejectedAt;
        RejectionReason = e.Reason;
    }
}
