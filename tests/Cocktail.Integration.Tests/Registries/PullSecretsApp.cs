using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Application.Registries;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>Cocktail with a workspace registry address, quick passes, robot accounts and ECR's token exchange as doubles.</summary>
public class PullSecretsApp : CocktailApp
{
    public const string RegistryAddress = "registry.cocktail.test:5000";

    public RecordingRobotAccounts Robots { get; } = new();
    public FakeEcrAuthorization Ecr { get; } = new();

    public PullSecretsApp()
    {
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        WithSetting("Cocktail:Registry:Address", RegistryAddress);
        WithServices(s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IRobotAccounts>(Robots));
            s.Replace(ServiceDescriptor.Singleton<IEcrAuthorization>(Ecr));
        });
    }
}

/// <summary>Robot accounts as the pull secrets see them: issued with a fresh password, revoked on request.</summary>
public sealed class RecordingRobotAccounts : IRobotAccounts
{
    public ConcurrentDictionary<Guid, (IssuedRobot Robot, string Purpose, bool Revoked)> Issued { get; } = new();

    public Task<IssuedRobot> IssueAsync(Guid workspaceId, string name, RobotPermission permission, DateTimeOffset validUntil, ActorRef by, string purpose,
        CancellationToken ct)
    {
        var robot = new IssuedRobot(Guid.CreateVersion7(), workspaceId, $"robot${workspaceId:N}+{name}-{Issued.Count}",
            TestSecrets.Remember(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))), validUntil);
        Issued[robot.RobotId] = (robot, purpose, false);
        return Task.FromResult(robot);
    }

    public Task RevokeAsync(Guid robotId, ActorRef by, string reason, CancellationToken ct)
    {
        Issued.AddOrUpdate(robotId, _ => throw new InvalidOperationException("no such robot"), (_, r) => r with { Revoked = true });
        return Task.CompletedTask;
    }

    public IReadOnlyList<IssuedRobot> For(string workspaceId) =>
        Issued.Values.Where(r => r.Robot.WorkspaceId == Guid.Parse(workspaceId)).OrderBy(r => r.Robot.RobotId).Select(r => r.Robot).ToList();

    public bool IsRevoked(Guid robotId) => Issued[robotId].Revoked;
}

/// <summary>ECR's GetAuthorizationToken as a double: a new token per call, valid 12 hours.</summary>
public sealed class FakeEcrAuthorization : IEcrAuthorization
{
    public ConcurrentQueue<(string Server, string AccessKeyId)> Calls { get; } = new();

    public Task<(EcrToken? Token, string? Error)> GetTokenAsync(string server, string accessKeyId, string secretAccessKey, CancellationToken ct)
    {
        Calls.Enqueue((server, accessKeyId));
        var token = new EcrToken(TestSecrets.Remember("ecr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))), DateTimeOffset.UtcNow.AddHours(12));
        return Task.FromResult<(EcrToken?, string?)>((token, null));
    }
}
