using Cocktail.Domain.Common;

namespace Cocktail.Domain.Users;

/// <summary>A platform user as the event stream tells it. Decisions are pure: they return events or a refusal.</summary>
public sealed record User(Guid Id, string UserName, string DisplayName, PlatformRole Role, bool Active)
{
    /// <summary>Set by a lockout; lifted by an admin's unlock or a new password.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    public static Decision Register(Guid id, string userName, string displayName, PlatformRole role, ActorRef by, DateTimeOffset at)
    {
        if (!DnsLabel.IsValid(userName))
            return DomainError.Invalid($"User names use {DnsLabel.Rule}.", "userName");
        return Decision.Accept(new UserRegistered(id, userName, displayName.Trim(), role, by, at));
    }

    public Decision ChangeRole(PlatformRole role, ActorRef by, DateTimeOffset at)
    {
        if (!Active) return DomainError.Conflict($"User '{UserName}' is deactivated; reactivate it before changing its role.");
        if (role == Role) return Decision.Nothing;
        if (by.Id == Id) return DomainError.Forbidden("You cannot change your own role; ask another platform admin.");
        return Decision.Accept(new UserRoleChanged(Id, UserName, Role, role, by, at));
    }

    public Decision ChangeDisplayName(string displayName, ActorRef by, DateTimeOffset at)
    {
        var trimmed = displayName.Trim();
        return trimmed == DisplayName
            ? Decision.Nothing
            : Decision.Accept(new UserDisplayNameChanged(Id, UserName, trimmed, by, at));
    }

    public Decision Deactivate(ActorRef by, DateTimeOffset at)
    {
        if (!Active) return Decision.Nothing;
        if (by.Id == Id) return DomainError.Forbidden("You cannot deactivate yourself.");
        return Decision.Accept(new UserDeactivated(Id, UserName, by, at));
    }

    public Decision Reactivate(ActorRef by, DateTimeOffset at) =>
        Active ? Decision.Nothing : Decision.Accept(new UserReactivated(Id, UserName, by, at));

    public Decision ChangePassword(ActorRef by, DateTimeOffset at)
    {
        if (!Active) return DomainError.Conflict($"User '{UserName}' is deactivated.");
        return Decision.Accept(new PasswordChanged(Id, UserName, by, at));
    }

    public Decision LockOut(int failedAttempts, DateTimeOffset until, string? sourceIp, DateTimeOffset at) =>
        Decision.Accept(new UserLockedOut(Id, UserName, failedAttempts, until, sourceIp, at));

    /// <summary>A platform admin lifts a lockout before it ends (the user called, the attempts were someone else's).</summary>
    public Decision Unlock(ActorRef by, DateTimeOffset at) =>
        LockedUntil > at ? Decision.Accept(new UserUnlocked(Id, UserName, by, at)) : Decision.Nothing;

    // Event application, used by Marten to rebuild the user from its stream.
    public static User Create(UserRegistered e) => new(e.UserId, e.UserName, e.DisplayName, e.Role, Active: true);
    public User Apply(UserRoleChanged e) => this with { Role = e.To };
    public User Apply(UserDisplayNameChanged e) => this with { DisplayName = e.DisplayName };
    public User Apply(UserDeactivated _) => this with { Active = false };
    public User Apply(UserReactivated _) => this with { Active = true };
    public User Apply(UserLockedOut e) => this with { LockedUntil = e.LockedUntil };
    public User Apply(UserUnlocked _) => this with { LockedUntil = null };
    public User Apply(PasswordChanged _) => this with { LockedUntil = null };
}
