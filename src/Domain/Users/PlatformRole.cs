namespace Cocktail.Domain.Users;

public enum PlatformRole
{
    /// <summary>Manages everything, including users.</summary>
    PlatformAdmin,
    /// <summary>Reads everything, changes nothing, and sees the audit trail.</summary>
    Auditor,
    /// <summary>Works inside the workspaces they are a member of.</summary>
    User,
}
