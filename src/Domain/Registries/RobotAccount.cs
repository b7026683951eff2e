using Cocktail.Domain.Common;

namespace Cocktail.Domain.Registries;

/// <summary>
/// A workspace's robot account was made (by a person, or by Cocktail for a pull secret or a build). Its secret is not
/// in the event: only a SHA-256 of it is kept, beside the read model.
/// </summary>
public sealed record RobotAccountCreated(Guid RobotId, Guid WorkspaceId, string WorkspaceName, string Name, string UserName,
    RobotPermission Permission, DateTimeOffset ValidUntil, string? Purpose, ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record RobotAccountRevoked(Guid RobotId, Guid WorkspaceId, string UserName, string Reason, ActorRef RevokedBy, DateTimeOffset RevokedAt);

/// <summary>Recorded when the validity ended (on schedule, or by the sweep); the token server refuses it from ValidUntil on anyway.</summary>
public sealed record RobotAccountExpired(Guid RobotId, Guid WorkspaceId, string UserName, DateTimeOffset ValidUntil, DateTimeOffset ExpiredAt);

/// <summary>A robot account: pull or push+pull in its own workspace's repositories, until it expires or is revoked.</summary>
public sealed record RobotAccount(Guid Id, Guid WorkspaceId, string UserName, RobotPermission Permission, DateTimeOffset ValidUntil,
    DateTimeOffset? RevokedAt, DateTimeOffset? ExpiredAt)
{
    public const int MaxNameLength = 40;
    public const int MaxPurposeLength = 200;

    public static Decision Create(Guid id, Guid workspaceId, string workspaceName, string name, RobotPermission permission,
        DateTimeOffset validUntil, TimeSpan maxValidity, string? purpose, ActorRef by, DateTimeOffset at)
    {
        if (!DnsLabel.IsValid(name) || name.Length > MaxNameLength)
            return DomainError.Invalid($"Robot names are {DnsLabel.Rule.Replace("63", MaxNameLength.ToString())}.", "name");
        if (!Enum.IsDefined(permission)) return DomainError.Invalid("The permission is Pull or PushPull.", "permission");
        if (validUntil <= at) return DomainError.Invalid("A robot account must be valid until a time in the future.", "validUntil");
        if (validUntil > at + maxValidity)
            return DomainError.Invalid($"A robot account is valid for at most {maxValidity.TotalDays:0.##} days.", "validUntil");
        return Decision.Accept(new RobotAccountCreated(id, workspaceId, workspaceName, name, RobotNames.UserName(workspaceName, name),
            permission, validUntil, string.IsNullOrWhiteSpace(purpose) ? null : purpose.Trim(), by, at));
    }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && ExpiredAt is null && now < ValidUntil;

    /// <summary>Revoking an ended robot changes nothing and is not an error: it is refused either way.</summary>
    public Decision Revoke(string reason, ActorRef by, DateTimeOffset at) =>
        RevokedAt is not null || ExpiredAt is not null
            ? Decision.Nothing
            : Decision.Accept(new RobotAccountRevoked(Id, WorkspaceId, UserName, reason, by, at));

    public Decision Expire(DateTimeOffset at) =>
        RevokedAt is null && ExpiredAt is null && at >= ValidUntil
            ? Decision.Accept(new RobotAccountExpired(Id, WorkspaceId, UserName, ValidUntil, at))
            : Decision.Nothing;

    public static RobotAccount Create(RobotAccountCreated e) =>
        new(e.RobotId, e.WorkspaceId, e.UserName, e.Permission, e.ValidUntil, null, null);

    public RobotAccount Apply(RobotAccountRevoked e) => this with { RevokedAt = e.RevokedAt };
    public RobotAccount Apply(RobotAccountExpired e) => this with { ExpiredAt = e.ExpiredAt };
}
