using System.Collections.Concurrent;
using Cocktail.Application.Registries;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Cocktail.Integration.Tests.Access;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cocktail.Integration.Tests.Builds;

/// <summary>
/// The real registry (Debian's docker-registry, CNCF Distribution 2.8) without auth, for the builds' push until the
/// registry harness with token auth is merged in.
/// </summary>
public sealed class PlainRegistry : ExternalProcess
{
    public const string Executable = "/usr/bin/docker-registry";
    public static bool Available => File.Exists(Executable);
    public const string MissingReason = "the registry is not installed (/usr/bin/docker-registry; apt-get install docker-registry)";

    PlainRegistry() : base("registry") { }

    public string Host => $"127.0.0.1:{Port}";

    public static async Task<PlainRegistry> StartAsync()
    {
        var server = new PlainRegistry();
        await server.StartAsync(Executable, port =>
        {
            var config = Path.Combine(server.Directory, "config.yml");
            File.WriteAllText(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {server.Directory}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n");
            return ["serve", config];
        }, "v2/", TimeSpan.FromSeconds(30));
        return server;
    }
}

/// <summary>
/// Robot accounts as the builds use them, recorded (issued, revoked) where the real implementation is not registered;
/// the real one (with the registry's token auth) replaces it once merged.
/// </summary>
public sealed class RecordingRobots : IRobotAccounts
{
    public ConcurrentDictionary<Guid, (IssuedRobot Robot, bool Revoked)> Issued { get; } = new();

    public static void AddIfMissing(IServiceCollection services) => services.TryAddSingleton<IRobotAccounts, RecordingRobots>();

    public Task<IssuedRobot> IssueAsync(Guid workspaceId, string name, RobotPermission permission, DateTimeOffset validUntil, ActorRef by, string purpose,
        CancellationToken ct)
    {
        var robot = new IssuedRobot(Guid.CreateVersion7(), workspaceId, $"robot${name}", Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), validUntil);
        TestSecrets.Remember(robot.Password);
        Issued[robot.RobotId] = (robot, false);
        return Task.FromResult(robot);
    }

    public Task RevokeAsync(Guid robotId, ActorRef by, string reason, CancellationToken ct)
    {
        if (Issued.TryGetValue(robotId, out var entry)) Issued[robotId] = (entry.Robot, true);
        return Task.CompletedTask;
    }
}

/// <summary>Cocktail with the plain registry as its workspace registry.</summary>
public sealed class BuildsApp : AccessApp, IAsyncLifetime
{
    public PlainRegistry? Registry { get; private set; }

    public override async Task InitializeAsync()
    {
        if (PlainRegistry.Available)
        {
            Registry = await PlainRegistry.StartAsync();
            WithSetting("Cocktail:Registry:Address", Registry.Host);
            WithSetting("Cocktail:Registry:ApiUrl", $"http://{Registry.Host}/");
        }
        WithServices(RecordingRobots.AddIfMissing);
        await base.InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}
