using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.PullSecrets.Reconciling;

public sealed class PullSecretOptions
{
    public const string Section = "Cocktail:PullSecrets";

    /// <summary>How long a workspace's pull robot is valid (never beyond <see cref="RegistryOptions.RobotMaxValidity"/>).</summary>
    public TimeSpan RobotValidity { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A new pull robot is issued this long before the current one expires; the old one is revoked once every service map has the new one.</summary>
    public TimeSpan RotateBefore { get; set; } = TimeSpan.FromDays(7);

    /// <summary>An ECR token (valid 12 hours) is exchanged again this long before it expires.</summary>
    public TimeSpan EcrRefreshBefore { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>One <c>kubernetes.io/dockerconfigjson</c> Secret: its name and the <c>.dockerconfigjson</c> it holds.</summary>
public sealed record PullSecret(string Name, string Registry, [property: Secret] string DockerConfigJson)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    /// <summary>What <c>docker login</c> writes: the user name, the password and <c>auth</c> (base64 of user:password), under the registry's key.</summary>
    public static PullSecret For(string name, string configKey, string userName, string password)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}"));
        var config = new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [configKey] = new JsonObject { ["username"] = userName, ["password"] = password, ["auth"] = auth },
            },
        };
        return new PullSecret(name, configKey, config.ToJsonString());
    }
}

/// <summary>
/// The workspace registry's pull robot as Cocktail keeps it to write into namespaces: its password encrypted (the robot
/// account itself keeps only a hash), revoked once a successor is in every service map.
/// </summary>
public sealed class WorkspacePullRobot
{
    public const string Purpose = "Cocktail.PullRobots.v1";

    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string UserName { get; set; } = "";
    public string Protected { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public static WorkspacePullRobot Of(IssuedRobot robot, DateTimeOffset issuedAt, IDataProtectionProvider protection) => new()
    {
        Id = robot.RobotId, WorkspaceId = robot.WorkspaceId, UserName = robot.UserName, IssuedAt = issuedAt, ValidUntil = robot.ValidUntil,
        Protected = protection.CreateProtector(Purpose).Protect(robot.Password),
    };

    public string Password(IDataProtectionProvider protection) => protection.CreateProtector(Purpose).Unprotect(Protected);

    public Domain.Registries.PullRobot ToDecisionInput() => new(Id, IssuedAt, ValidUntil, RevokedAt is not null);
}

/// <summary>An ECR authorization token (valid 12 hours), encrypted, per ECR registry.</summary>
public sealed class EcrTokenCache
{
    public const string Purpose = "Cocktail.EcrTokens.v1";

    public Guid Id { get; set; }
    public string Protected { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }

    public static EcrTokenCache Of(Guid registryId, EcrToken token, IDataProtectionProvider protection) => new()
    {
        Id = registryId, ExpiresAt = token.ExpiresAt, Protected = protection.CreateProtector(Purpose).Protect(token.Password),
    };

    public string Password(IDataProtectionProvider protection) => protection.CreateProtector(Purpose).Unprotect(Protected);
}

/// <summary>What the last pass wrote into one service map's namespace (observed state, a document, not an event).</summary>
public sealed class PullSecretStatus
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string ServiceMapName { get; set; } = "";
    public string Namespace { get; set; } = "";
    public IReadOnlyList<string> Secrets { get; set; } = [];
    public bool Applied { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>An ECR password as <c>GetAuthorizationToken</c> answers it (the user name is always <c>AWS</c>).</summary>
public sealed record EcrToken([property: Secret] string Password, DateTimeOffset ExpiresAt)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>
/// Exchanges an IAM access key for ECR's 12-hour registry password (<c>ecr:GetAuthorizationToken</c>). The pull secret
/// pass refreshes it on its schedule (<see cref="PullSecretOptions.EcrRefreshBefore"/>). No AWS is reachable in the
/// tests: they use a double; the production implementation is untested against AWS.
/// </summary>
public interface IEcrAuthorization
{
    /// <summary>The token, or null with the reason when it could not be had.</summary>
    Task<(EcrToken? Token, string? Error)> GetTokenAsync(string server, string accessKeyId, string secretAccessKey, CancellationToken ct);
}

/// <summary>Writes a namespace's pull secrets and names them in its default ServiceAccount.</summary>
public interface IPullSecretApplier
{
    /// <summary>
    /// Applies <paramref name="secrets"/>, deletes Cocktail's pull secrets not among them, and makes the namespace's
    /// <c>default</c> ServiceAccount list exactly Cocktail's secrets besides whatever else it lists.
    /// </summary>
    Task<ServiceMaps.Reconciling.ApplyOutcome> ApplyAsync(Clusters.Connecting.ClusterConnection cluster, string ns, IReadOnlyList<PullSecret> secrets, CancellationToken ct);
}

/// <summary>Used when no robot account implementation is registered: the workspace registry's pull secret is then not written.</summary>
public sealed class NoRobotAccounts : IRobotAccounts
{
    public Task<IssuedRobot> IssueAsync(Guid workspaceId, string name, Domain.Registries.RobotPermission permission, DateTimeOffset validUntil,
        Domain.Common.ActorRef by, string purpose, CancellationToken ct) =>
        throw new InvalidOperationException("Robot accounts are not available in this build.");

    public Task RevokeAsync(Guid robotId, Domain.Common.ActorRef by, string reason, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Used when ECR token exchange is not configured: ECR pull secrets are then not written, and the status says why.</summary>
public sealed class UnavailableEcrAuthorization : IEcrAuthorization
{
    public Task<(EcrToken? Token, string? Error)> GetTokenAsync(string server, string accessKeyId, string secretAccessKey, CancellationToken ct) =>
        Task.FromResult<(EcrToken?, string?)>((null, "ECR token exchange is not available on this installation."));
}
