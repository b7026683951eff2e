using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Builds.Dispatching;

/// <summary>Starts the workspace's queued builds, oldest first, while it has fewer running than its limit.</summary>
public sealed record DispatchBuilds(Guid WorkspaceId, int Attempt = 0);

public static class DispatchBuildsHandler
{
    public static async Task Handle(DispatchBuilds command, IDocumentSession session, IBuildCluster builds, IRobotAccounts robots, ICredentialVault vault,
        IOptions<RegistryOptions> registry, IDataProtectionProvider protection, IMessageContext messages, TimeProvider clock, IExclusiveTurns turns,
        CancellationToken ct)
    {
        // One dispatcher per workspace at a time across replicas: two would both see a free slot and overrun the limit.
        await using var turn = await turns.TakeAsync("build-dispatch", command.WorkspaceId, ct);
        var settings = await session.Events.FetchLatest<BuildSettings>(BuildSettings.StreamId, ct);
        var queued = await session.Query<BuildView>().Where(b => b.WorkspaceId == command.WorkspaceId && b.Status == BuildStatus.Queued)
            .OrderBy(b => b.QueuedAt).ToListAsync(ct);
        if (queued.Count == 0) return;
        var now = clock.GetUtcNow();
        var credential = settings is null ? null : await session.LoadAsync<ClusterCredential>(settings.ClusterId, ct);
        if (settings is null || credential is null || !registry.Value.Configured)
        {
            var reason = settings is null ? "No build cluster is set up." : credential is null ? "The build cluster is no longer registered." : "No registry is configured.";
            foreach (var b in queued) await DecideAsync(session, b.Id, build => build.FailToStart(reason, now), messages, ct);
            await session.SaveChangesAsync(ct);
            return;
        }
        var running = await session.Query<BuildView>().CountAsync(b => b.WorkspaceId == command.WorkspaceId && b.Status == BuildStatus.Running, ct);
        var connection = vault.Unprotect(credential.Protected);
        foreach (var view in queued.Take(Math.Max(0, settings.ConcurrencyPerWorkspace - running)))
        {
            var outcome = await StartAsync(session, view, settings, connection, builds, robots, registry.Value, protection, messages, clock, ct);
            await session.SaveChangesAsync(ct);
            if (outcome == ClusterAnswer.Unreachable)
            {
                await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
                return;
            }
        }
    }

    static async Task<ClusterAnswer> StartAsync(IDocumentSession session, BuildView view, BuildSettings settings, ClusterConnection connection,
        IBuildCluster builds, IRobotAccounts robots, RegistryOptions registry, IDataProtectionProvider protection, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Build>(view.Id, ct);
        if (stream.Aggregate is not { Status: BuildStatus.Queued } build) return ClusterAnswer.Applied;
        var timeout = TimeSpan.FromMinutes(settings.TimeoutMinutes);
        var jobName = BuildNames.Job(build.DefinitionName, build.Number, build.Id);
        // The push credential lives as long as the build may: revoked when it ends, expired by the timeout at the latest.
        var robot = await robots.IssueAsync(build.WorkspaceId, $"build-{build.Number}-{build.Id.ToString("N")[^6..]}", RobotPermission.PushPull,
            clock.GetUtcNow() + timeout + TimeSpan.FromMinutes(5), ActorRef.System, $"push of build #{build.Number} of {build.DefinitionName}", ct);
        var definition = await session.Events.FetchLatest<BuildDefinition>(build.DefinitionId, ct);
        var git = definition is { HasGitCredentials: true } && await session.LoadAsync<BuildGitSecret>(build.DefinitionId, ct) is { } secret
            ? secret.Read(protection) : null;
        var queued = (await session.Events.FetchStreamAsync(build.Id, token: ct)).Select(e => e.Data).OfType<BuildQueued>().Single();
        var job = new BuildJob(build.Id, build.WorkspaceId, settings.Namespace, jobName, queued.Source, queued.Commit, build.Image,
            registry.EffectiveApiUrl.Scheme == Uri.UriSchemeHttp, DockerConfig(registry.Address!, robot), git, settings.CpuLimit, settings.MemoryLimit, timeout);
        var outcome = await builds.StartAsync(connection, job, ct);
        var now = clock.GetUtcNow();
        var decision = outcome.Answer switch
        {
            ClusterAnswer.Applied => build.Start(settings.ClusterId, settings.ClusterName, settings.Namespace, jobName, robot.RobotId, now),
            ClusterAnswer.Refused => build.FailToStart($"The build cluster refused the Job: {outcome.Message}", now),
            _ => Decision.Nothing,
        };
        if (outcome.Answer != ClusterAnswer.Applied)
            await robots.RevokeAsync(robot.RobotId, ActorRef.System, "the build did not start", ct);
        stream.AppendMany(decision.Events.ToArray());
        await BuildEnded.PublishAsync(messages, decision.Events);
        return outcome.Answer;
    }

    /// <summary>The docker config Kaniko reads from /kaniko/.docker/config.json: the robot's Basic credentials for the registry.</summary>
    public static string DockerConfig(string address, IssuedRobot robot) => new JsonObject
    {
        ["auths"] = new JsonObject
        {
            [address] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{robot.UserName}:{robot.Password}")) },
        },
    }.ToJsonString();

    static async Task DecideAsync(IDocumentSession session, Guid id, Func<Build, Decision> decide, IMessageContext messages, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Build>(id, ct);
        if (stream.Aggregate is null) return;
        var events = decide(stream.Aggregate).Events;
        stream.AppendMany(events.ToArray());
        await BuildEnded.PublishAsync(messages, events);
    }
}
