using Cocktail.Domain.Common;

namespace Cocktail.Domain.Access;

/// <summary>
/// One user's time-boxed access to one cluster or namespace, and its life on the cluster. The decisions keep the
/// promise that nothing exists on the cluster outside the validity window, and that revocation is final.
/// </summary>
public sealed record AccessGrant(
    Guid Id, Guid ClusterId, Guid UserId, string UserName, AccessScope Scope, AccessRole Role, DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil, string ServiceAccount, bool OnCluster, bool Revoked, bool Expired, bool ExpiryWarned,
    string? ActivationError = null)
{
    public const string AccessNamespace = "cocktail-access";

    public static string ServiceAccountFor(Guid grantId) => "grant-" + grantId.ToString("N")[^12..];

    public static Decision Grant(Guid id, Guid clusterId, string clusterName, AccessScope scope, Guid? serviceMapId, string? ns,
        Guid? workspaceId, Guid userId, string userName, AccessRole role, DateTimeOffset validFrom, DateTimeOffset validUntil, string reason,
        TimeSpan maxDuration, Guid? requestId, ActorRef by, DateTimeOffset at)
    {
        if (scope == AccessScope.ServiceMap && (serviceMapId is null || ns is null))
            return DomainError.Invalid("A ServiceMap grant names the service map.", "serviceMapId");
        if (scope == AccessScope.ServiceMap && role == AccessRole.ClusterAdmin)
            return DomainError.Invalid("cluster-admin is a whole-cluster role; in a service map use view, edit or admin.", "role");
        if (validUntil <= validFrom) return DomainError.Invalid("validUntil must come after validFrom.", "validUntil");
        if (validUntil <= at) return DomainError.Invalid("validUntil is in the past.", "validUntil");
        if (validUntil - validFrom > maxDuration)
            return DomainError.Invalid($"A grant lasts at most {Describe(maxDuration)}.", "validUntil");
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the access is needed.", "reason");
        return Decision.Accept(new ClusterAccessGranted(id, clusterId, clusterName, scope, serviceMapId, ns, workspaceId, userId, userName,
            role, validFrom, validUntil, reason.Trim(), ServiceAccountFor(id), requestId, by, at));
    }

    public GrantState StateAt(DateTimeOffset now) =>
        Revoked ? GrantState.Revoked
        : Expired || now >= ValidUntil ? GrantState.Expired
        : now < ValidFrom ? GrantState.Scheduled
        : OnCluster ? GrantState.Active
        : GrantState.Activating;

    /// <summary>Setting it up on the cluster is due only within the validity window.</summary>
    public bool ShouldBeOnCluster(DateTimeOffset now) => !Revoked && !Expired && now >= ValidFrom && now < ValidUntil;

    /// <summary>Setting it up is due when it should be on the cluster and is not yet recorded there.</summary>
    public bool ActivationDue(DateTimeOffset now) => !OnCluster && ShouldBeOnCluster(now);

    /// <summary>
    /// Taking it off is due whenever it should not be on the cluster: also when nothing recorded it there, since an
    /// activation may have reached the cluster without its event being committed.
    /// </summary>
    public bool RemovalDue(DateTimeOffset now) => !ShouldBeOnCluster(now);

    /// <summary>
    /// What the cluster answered to setting the grant up. A refusal is recorded once per distinct message, so a
    /// cluster that keeps refusing the same way does not fill the stream; an unreachable cluster records nothing.
    /// </summary>
    public Decision RecordActivation(GrantApplyResult result, string? message, DateTimeOffset at) => result switch
    {
        GrantApplyResult.Applied => Activated(at),
        GrantApplyResult.Refused when message != ActivationError && ActivationDue(at) =>
            Decision.Accept(new AccessGrantActivationFailed(Id, ClusterId, message ?? "", at)),
        _ => Decision.Nothing,
    };

    public Decision Activated(DateTimeOffset at) =>
        !ActivationDue(at) ? Decision.Nothing : Decision.Accept(new AccessGrantActivated(Id, ClusterId, UserId, ServiceAccount, at));

    public Decision Revoke(string reason, ActorRef by, DateTimeOffset at)
    {
        if (Revoked) return Decision.Nothing;
        if (Expired || at >= ValidUntil) return DomainError.Conflict("The grant has already expired.");
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the access is revoked.", "reason");
        return Decision.Accept(new AccessGrantRevoked(Id, ClusterId, UserId, UserName, reason.Trim(), by, at));
    }

    public Decision Expire(DateTimeOffset at) =>
        Revoked || Expired || at < ValidUntil ? Decision.Nothing : Decision.Accept(new AccessGrantExpired(Id, ClusterId, UserId, UserName, at));

    /// <summary>What the cluster answered to taking the grant off: only a removal that happened is recorded, with why it was due.</summary>
    public Decision RecordRemoval(GrantApplyResult result, DateTimeOffset at) =>
        result == GrantApplyResult.Applied ? RemovedFromCluster(at) : Decision.Nothing;

    public Decision RemovedFromCluster(DateTimeOffset at) =>
        OnCluster ? Decision.Accept(new AccessGrantRemovedFromCluster(Id, ClusterId, ServiceAccount, at, WhyRemoved(at))) : Decision.Nothing;

    private string WhyRemoved(DateTimeOffset at) =>
        Revoked ? "revoked" : Expired || at >= ValidUntil ? "expired" : at < ValidFrom ? "not yet valid" : "no longer valid";

    public Decision WarnOfExpiry(TimeSpan ahead, DateTimeOffset at) =>
        ExpiryWarned || Revoked || Expired || ValidUntil - at > ahead || at >= ValidUntil
            ? Decision.Nothing
            : Decision.Accept(new AccessGrantExpiryWarned(Id, UserId, UserName, ValidUntil, at));

    /// <summary>
    /// A token lives no longer than the grant and the lifetime cap. Kubernetes refuses tokens shorter than ten
    /// minutes, so a grant about to end gets none.
    /// </summary>
    public (TimeSpan? Lifetime, DomainError? Error) TokenLifetime(TimeSpan cap, DateTimeOffset at)
    {
        switch (StateAt(at))
        {
            case GrantState.Scheduled: return (null, DomainError.Conflict($"The grant starts at {ValidFrom:u}."));
            case GrantState.Revoked: return (null, DomainError.Conflict("The grant was revoked."));
            case GrantState.Expired: return (null, DomainError.Conflict("The grant has expired."));
            case GrantState.Activating: return (null, DomainError.Conflict("The access is being set up on the cluster; try again in a moment."));
        }
        var remaining = ValidUntil - at;
        if (remaining < TimeSpan.FromMinutes(10))
            return (null, DomainError.Conflict("The grant ends in less than 10 minutes, too soon for a token; request a new grant."));
        return (remaining < cap ? remaining : cap, null);
    }

    /// <summary>Every download is recorded: who got a token for the grant, and until when it works.</summary>
    public Decision IssueKubeconfig(DateTimeOffset tokenExpiresAt, ActorRef to, DateTimeOffset at) =>
        Decision.Accept(new KubeconfigIssued(Id, ClusterId, UserId, tokenExpiresAt, to, at));

    private static string Describe(TimeSpan span) => span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days" : $"{span.TotalHours:0.#} hours";

    public static AccessGrant Create(ClusterAccessGranted e) =>
        new(e.GrantId, e.ClusterId, e.UserId, e.UserName, e.Scope, e.Role, e.ValidFrom, e.ValidUntil, e.ServiceAccount, false, false, false, false);

    public AccessGrant Apply(AccessGrantActivated _) => this with { OnCluster = true, ActivationError = null };
    public AccessGrant Apply(AccessGrantActivationFailed e) => this with { ActivationError = e.Error };
    public AccessGrant Apply(AccessGrantRevoked _) => this with { Revoked = true };
    public AccessGrant Apply(AccessGrantExpired _) => this with { Expired = true };
    public AccessGrant Apply(AccessGrantRemovedFromCluster _) => this with { OnCluster = false };
    public AccessGrant Apply(AccessGrantExpiryWarned _) => this with { ExpiryWarned = true };
}
