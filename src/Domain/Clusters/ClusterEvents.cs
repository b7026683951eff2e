using Cocktail.Domain.Common;

namespace Cocktail.Domain.Clusters;

// Credentials themselves never enter the event store; events say which kind was given and when it expires.

public sealed record ClusterRegistered(
    Guid ClusterId, string Name, ClusterProvider Provider, string? Region, IReadOnlyDictionary<string, string> Labels,
    string Server, CredentialKind CredentialKind, DateTimeOffset? CredentialExpiresAt, string KubernetesVersion,
    int NodeCount, ActorRef RegisteredBy, DateTimeOffset RegisteredAt);

public sealed record ClusterCredentialsRotated(
    Guid ClusterId, string Name, string Server, CredentialKind CredentialKind, DateTimeOffset? CredentialExpiresAt,
    ActorRef RotatedBy, DateTimeOffset RotatedAt);

public sealed record ClusterDetailsChanged(
    Guid ClusterId, string Name, string? Region, IReadOnlyDictionary<string, string> Labels, ActorRef ChangedBy, DateTimeOffset ChangedAt);

/// <summary>Reason is why, when the remover said; null on events recorded before it existed.</summary>
public sealed record ClusterUnregistered(Guid ClusterId, string Name, ActorRef UnregisteredBy, DateTimeOffset UnregisteredAt, string? Reason = null);

public sealed record ClusterBecameUnreachable(Guid ClusterId, string Name, string Error, DateTimeOffset Since);

public sealed record ClusterDegraded(Guid ClusterId, string Name, string Reason, DateTimeOffset Since);

public sealed record ClusterRecovered(Guid ClusterId, string Name, ClusterHealth From, DateTimeOffset RecoveredAt);

public sealed record ClusterVersionChanged(Guid ClusterId, string Name, string From, string To, DateTimeOffset ObservedAt);

/// <summary>
/// Cocktail warned that the cluster's credential expires soon. Stored under its first name, "cluster_credential_expiring"
/// (see <see cref="StoredName"/>), so the events already recorded load as this type.
/// </summary>
public sealed record ClusterCredentialExpiryWarned(Guid ClusterId, string Name, DateTimeOffset ExpiresAt, DateTimeOffset WarnedAt)
{
    public const string StoredName = "cluster_credential_expiring";
}
