using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

public sealed record ServiceMapCreated(
    Guid ServiceMapId, string Name, Guid WorkspaceId, string WorkspaceName, Guid ClusterId, string ClusterName, string Namespace,
    Quota Quota, DefaultLimits? DefaultLimits, PodSecurityLevel PodSecurity, ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record ServiceMapSettingsChanged(
    Guid ServiceMapId, string Name, DefaultLimits? DefaultLimits, PodSecurityLevel PodSecurity, ActorRef ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The cluster matches what Cocktail wants for this service map.</summary>
public sealed record ServiceMapBecameReady(Guid ServiceMapId, string Name, Guid ClusterId, string Namespace, DateTimeOffset At);

/// <summary>The cluster refused the service map's objects; the error is the cluster's own.</summary>
public sealed record ServiceMapReconcileFailed(Guid ServiceMapId, string Name, Guid ClusterId, string Namespace, string Error, DateTimeOffset At);

/// <summary>Something on the cluster had been changed by hand and was put back.</summary>
public sealed record DriftCorrected(Guid ServiceMapId, string Name, Guid ClusterId, string Namespace, IReadOnlyList<string> Findings, DateTimeOffset At);

public sealed record ServiceMapDeletionRequested(Guid ServiceMapId, string Name, Guid WorkspaceId, Guid ClusterId, string Namespace, ActorRef RequestedBy, DateTimeOffset RequestedAt);

/// <summary>The namespace is gone from the cluster.</summary>
public sealed record ServiceMapDeleted(Guid ServiceMapId, string Name, Guid ClusterId, string Namespace, DateTimeOffset At);
