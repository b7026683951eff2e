using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

public sealed record WorkspaceCreated(Guid WorkspaceId, string Name, string? Description, string? Color, ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record WorkspaceDetailsChanged(Guid WorkspaceId, string Name, string? Description, string? Color, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record WorkspaceMemberAdded(Guid WorkspaceId, string WorkspaceName, Guid UserId, string UserName, WorkspaceRole Role, ActorRef AddedBy, DateTimeOffset AddedAt);

public sealed record WorkspaceMemberRoleChanged(Guid WorkspaceId, string WorkspaceName, Guid UserId, string UserName, WorkspaceRole From, WorkspaceRole To, ActorRef ChangedBy, DateTimeOffset ChangedAt);

/// <summary>Reason is why, when the remover said; null on events recorded before it existed.</summary>
public sealed record WorkspaceMemberRemoved(Guid WorkspaceId, string WorkspaceName, Guid UserId, string UserName, ActorRef RemovedBy, DateTimeOffset RemovedAt,
    string? Reason = null);

/// <summary>Reason is why, when the remover said; null on events recorded before it existed.</summary>
public sealed record WorkspaceDeleted(Guid WorkspaceId, string Name, ActorRef DeletedBy, DateTimeOffset DeletedAt, string? Reason = null);
