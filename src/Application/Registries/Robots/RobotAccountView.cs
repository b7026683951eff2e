using System.Security.Cryptography;
using System.Text;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Microsoft.AspNetCore.WebUtilities;

namespace Cocktail.Application.Registries.Robots;

public enum RobotState { Active, Revoked, Expired }

/// <summary>A robot account as the console and the API list it (never its secret).</summary>
public sealed class RobotAccountView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public string Name { get; set; } = "";
    public string UserName { get; set; } = "";
    public RobotPermission Permission { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public string? Purpose { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public string? RevokeReason { get; set; }
    public DateTimeOffset? ExpiredAt { get; set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && ExpiredAt is null && now < ValidUntil;

    public RobotState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? RobotState.Revoked : ExpiredAt is not null || now >= ValidUntil ? RobotState.Expired : RobotState.Active;

    public static RobotAccountView Create(RobotAccountCreated e) => new()
    {
        Id = e.RobotId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, Name = e.Name, UserName = e.UserName,
        Permission = e.Permission, ValidUntil = e.ValidUntil, Purpose = e.Purpose, CreatedBy = e.CreatedBy.Name, CreatedAt = e.CreatedAt,
    };

    public void Apply(RobotAccountRevoked e)
    {
        RevokedAt = e.RevokedAt;
        RevokedBy = e.RevokedBy.Name;
        RevokeReason = e.Reason;
    }

    public void Apply(RobotAccountExpired e) => ExpiredAt = e.ExpiredAt;
}

/// <summary>Maps the SHA-256 of a robot's secret to the robot. Not projected: the secret never enters the event store.</summary>
public sealed class RobotSecret
{
    public string Id { get; set; } = "";
    public Guid RobotId { get; set; }
}

/// <summary>
/// Robot secrets carry 256 random bits, so a SHA-256 stores them safely (no dictionary guesses them) and lets the
/// token server find the robot with one key lookup, as for API tokens.
/// </summary>
public static class RobotSecrets
{
    public const string Scheme = "ckr_";

    public static string NewSecret() => Scheme + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool LooksLikeSecret(string value) => value.StartsWith(Scheme, StringComparison.Ordinal) && value.Length < 200;
}
