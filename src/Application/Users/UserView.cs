using Cocktail.Domain.Users;

namespace Cocktail.Application.Users;

/// <summary>The user as the console and the API list it; projected inline from the user's stream.</summary>
public sealed class UserView
{
    public Guid Id { get; set; }
    public string UserName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public PlatformRole Role { get; set; }
    public bool Active { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public long Version { get; set; }

    public static UserView Create(UserRegistered e) => new()
    {
        Id = e.UserId, UserName = e.UserName, DisplayName = e.DisplayName, Role = e.Role, Active = true,
        CreatedAt = e.RegisteredAt, CreatedBy = e.RegisteredBy.Name, UpdatedAt = e.RegisteredAt,
    };

    public void Apply(UserRoleChanged e) { Role = e.To; UpdatedAt = e.ChangedAt; }
    public void Apply(UserDisplayNameChanged e) { DisplayName = e.DisplayName; UpdatedAt = e.ChangedAt; }
    public void Apply(UserDeactivated e) { Active = false; UpdatedAt = e.DeactivatedAt; }
    public void Apply(UserReactivated e) { Active = true; LockedUntil = null; UpdatedAt = e.ReactivatedAt; }
    public void Apply(PasswordChanged e) { LockedUntil = null; UpdatedAt = e.ChangedAt; }
    public void Apply(UserLockedOut e) => LockedUntil = e.LockedUntil;
    public void Apply(UserUnlocked e) { LockedUntil = null; UpdatedAt = e.UnlockedAt; }
}
