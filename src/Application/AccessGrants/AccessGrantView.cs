using Cocktail.Domain.Access;

namespace Cocktail.Application.AccessGrants;

/// <summary>A grant as lists and pages show it. The state depends on the time asked, so it is computed on read.</summary>
public sealed class AccessGrantView
{
    public Guid Id { get; set; }
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public AccessScope Scope { get; set; }
    public Guid? ServiceMapId { get; set; }
    public string? Namespace { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid UserId { get; set; }
    public string UserName { get; set; } = "";
    public AccessRole Role { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public string Reason { get; set; } = "";
    public string ServiceAccount { get; set; } = "";
    public Guid? RequestId { get; set; }
    public string GrantedBy { get; set; } = "";
    public DateTimeOffset GrantedAt { get; set; }
    public bool OnCluster { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public string? ActivationError { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public string? RevocationReason { get; set; }
    public DateTimeOffset? ExpiredAt { get; set; }
    public DateTimeOffset? ExpiryWarnedAt { get; set; }
    public DateTimeOffset? LastKubeconfigAt { get; set; }

    public GrantState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? GrantState.Revoked
        : ExpiredAt is not null || now >= ValidUntil ? GrantState.Expired
        : now < ValidFrom ? GrantState.Scheduled
        : OnCluster ? GrantState.Active
        : GrantState.Activating;

    public static AccessGrantView Create(ClusterAccessGranted e) => new()
    {
        Id = e.GrantId, ClusterId = e.ClusterId, ClusterName = e.ClusterName, Scope = e.Scope, ServiceMapId = e.ServiceMapId,
        Namespace = e.Namespace, WorkspaceId = e.WorkspaceId, UserId = e.UserId, UserName = e.UserName, Role = e.Role,
        ValidFrom = e.ValidFrom, ValidUntil = e.ValidUntil, Reason = e.Reason, ServiceAccount = e.ServiceAccount,
        RequestId = e.RequestId, GrantedBy = e.GrantedBy.Name, GrantedAt = e.GrantedAt,
    };

    public void Apply(AccessGrantActivated e) { OnCluster = true; ActivatedAt = e.ActivatedAt; ActivationError = null; }
    public void Apply(AccessGrantActivationFailed e) => ActivationError = e.Error;
    public void Apply(AccessGrantRevoked e) { RevokedAt = e.RevokedAt; RevokedBy = e.RevokedBy.Name; RevocationReason = e.Reason; }
    public void Apply(AccessGrantExpired e) => ExpiredAt = e.ExpiredAt;
    public void Apply(AccessGrantRemovedFromCluster _) => OnCluster = false;
    public void Apply(AccessGrantExpiryWarned e) => ExpiryWarnedAt = e.WarnedAt;
    public void Apply(KubeconfigIssued e) => LastKubeconfigAt = e.IssuedAt;
}

/// <summary>An access grant's API shape: the view plus its state now.</summary>
public sealed record AccessGrantItem(AccessGrantView Grant, GrantState State);
