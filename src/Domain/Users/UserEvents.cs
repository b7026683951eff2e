using Cocktail.Domain.Common;

namespace Cocktail.Domain.Users;

// Passwords never enter the event store: events are kept forever and read by auditors. The hash lives in a
// credential document written in the same transaction; the events record that it changed, by whom and when.

public sealed record UserRegistered(
    Guid UserId, string UserName, string DisplayName, PlatformRole Role, ActorRef RegisteredBy, DateTimeOffset RegisteredAt);

public sealed record UserRoleChanged(
    Guid UserId, string UserName, PlatformRole From, PlatformRole To, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record UserDisplayNameChanged(
    Guid UserId, string UserName, string DisplayName, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record UserDeactivated(
    Guid UserId, string UserName, ActorRef DeactivatedBy, DateTimeOffset DeactivatedAt);

public sealed record UserReactivated(
    Guid UserId, string UserName, ActorRef ReactivatedBy, DateTimeOffset ReactivatedAt);

public sealed record PasswordChanged(
    Guid UserId, string UserName, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record UserLockedOut(
    Guid UserId, string UserName, int FailedAttempts, DateTimeOffset LockedUntil, string? SourceIp, DateTimeOffset LockedAt);

public sealed record UserUnlocked(
    Guid UserId, string UserName, ActorRef UnlockedBy, DateTimeOffset UnlockedAt);
