using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Builds;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning.Scanning;

/// <summary>
/// Scan one image of a workspace repository: after a push, a rescan sweep or a person's request. Queued once per
/// digest; the dispatcher starts it when the build cluster has a free scanner slot.
/// </summary>
[MessageIdentity("Cocktail.Application.ImageScanning.ScanImage")]
public sealed record ScanImage(Guid WorkspaceId, string Repository, string Digest, string? Tag, string Reason);

/// <summary>Starts queued scans, oldest first, while fewer than <see cref="ImageScanningOptions.MaxConcurrentScans"/> run.</summary>
[MessageIdentity("Cocktail.Application.ImageScanning.DispatchImageScans")]
public sealed record DispatchImageScans(int Attempt = 0);

public static class ScanImageHandler
{
    public static async Task Handle(ScanImage message, IDocumentSession session, IMessageContext messages, IOptions<ImageScanningOptions> options,
        IOptions<RegistryOptions> registry, IExclusiveTurns turns, TimeProvider clock, CancellationToken ct)
    {
        if (!options.Value.Enabled || !Digests.IsValid(message.Digest)) return;
        // The queue's check-then-insert must not interleave across replicas (two pushes of one image under two tags).
        await using (await turns.TakeAsync("image-scan-queue", ScanNames.QueueTurn, ct))
        {
            var record = await session.LoadAsync<ImageScanRecord>(message.Digest, ct) ?? new ImageScanRecord { Id = message.Digest };
            record.Saw(new ScannedImageRef(registry.Value.Address ?? "", message.Repository, message.Tag, message.WorkspaceId));
            session.Store(record);
            if (await session.LoadAsync<ImageScanJob>(message.Digest, ct) is null)
                session.Store(new ImageScanJob
                {
                    Id = message.Digest, ScanId = Guid.CreateVersion7(), WorkspaceId = message.WorkspaceId, Repository = message.Repository,
                    Tag = message.Tag, Reason = message.Reason, Status = ScanJobStatus.Queued, QueuedAt = clock.GetUtcNow(),
                });
            await session.SaveChangesAsync(ct);
        }
        await messages.PublishAsync(new DispatchImageScans());
    }
}

public static class DispatchImageScansHandler
{
    public static async Task Handle(DispatchImageScans command, IDocumentSession session, IImageScanCluster scans, IRobotAccounts robots,
        ICredentialVault vault, IOptions<RegistryOptions> registry, IOptions<ImageScanningOptions> options, IMessageContext messages, TimeProvider clock,
        IExclusiveTurns turns, CancellationToken ct)
    {
        // One dispatcher at a time across replicas: two would both see a free slot and overrun the limit.
        await using var turn = await turns.TakeAsync("image-scan-queue", ScanNames.QueueTurn, ct);
        var queued = await session.Query<ImageScanJob>().Where(j => j.Status == ScanJobStatus.Queued).OrderBy(j => j.QueuedAt).ToListAsync(ct);
        if (queued.Count == 0) return;
        var settings = await session.Events.FetchLatest<BuildSettings>(BuildSettings.StreamId, ct);
        var credential = settings is null ? null : await session.LoadAsync<ClusterCredential>(settings.ClusterId, ct);
        var now = clock.GetUtcNow();
        if (settings is null || credential is null || !registry.Value.Configured)
        {
            var reason = settings is null ? "No build cluster is set up: scanner Jobs run there (Platform → Builds)."
                : credential is null ? "The build cluster is no longer registered." : "No registry is configured.";
            foreach (var job in queued) await FailAsync(session, job, reason, now, ct);
            await session.SaveChangesAsync(ct);
            foreach (var job in queued) await messages.PublishAsync(new ImageScanned(job.Id));
            return;
        }
        var running = await session.Query<ImageScanJob>().CountAsync(j => j.Status == ScanJobStatus.Running, ct);
        var connection = vault.Unprotect(credential.Protected);
        foreach (var job in queued.Take(Math.Max(0, options.Value.MaxConcurrentScans - running)))
        {
            var answer = await StartAsync(session, job, settings, connection, scans, robots, registry.Value, options.Value, clock, ct);
            await session.SaveChangesAsync(ct);
            if (answer == ClusterAnswer.Refused) await messages.PublishAsync(new ImageScanned(job.Id));
            if (answer == ClusterAnswer.Unreachable)
            {
                await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
                return;
            }
        }
    }

    static async Task<ClusterAnswer> StartAsync(IDocumentSession session, ImageScanJob job, BuildSettings settings, ClusterConnection connection,
        IImageScanCluster scans, IRobotAccounts robots, RegistryOptions registry, ImageScanningOptions options, TimeProvider clock, CancellationToken ct)
    {
        var jobName = ScanNames.Job(job.Id, job.ScanId);
        // The pull credential lives as long as the scan may: revoked when it ends, expired by the timeout at the latest.
        var robot = await robots.IssueAsync(job.WorkspaceId, $"scan-{job.ScanId.ToString("N")[^6..]}", RobotPermission.Pull,
            clock.GetUtcNow() + options.ScanTimeout + TimeSpan.FromMinutes(5), ActorRef.System,
            $"pull for the image scan of {job.Repository}@{ImageVerdict.ShortDigest(job.Id)}", ct);
        var spec = new ScanJobSpec(job.ScanId, job.WorkspaceId, settings.Namespace, jobName, $"{registry.Address}/{job.Repository}@{job.Id}",
            options.ScannerImage, options.DbRepository, options.JavaDbRepository, registry.EffectiveApiUrl.Scheme == Uri.UriSchemeHttp,
            DockerConfig(registry.Address!, robot), options.CpuLimit, options.MemoryLimit, options.ScanTimeout);
        var outcome = await scans.StartAsync(connection, spec, ct);
        switch (outcome.Answer)
        {
            case ClusterAnswer.Applied:
                (job.Status, job.StartedAt, job.ClusterId, job.Namespace, job.JobName, job.RobotId) =
                    (ScanJobStatus.Running, clock.GetUtcNow(), settings.ClusterId, settings.Namespace, jobName, robot.RobotId);
                session.Store(job);
                break;
            case ClusterAnswer.Refused:
                await robots.RevokeAsync(robot.RobotId, ActorRef.System, "the image scan did not start", ct);
                await FailAsync(session, job, $"The build cluster refused the scanner Job: {outcome.Message}", clock.GetUtcNow(), ct);
                break;
            default:
                await robots.RevokeAsync(robot.RobotId, ActorRef.System, "the build cluster did not answer; the scan waits", ct);
                break;
        }
        return outcome.Answer;
    }

    public static async Task FailAsync(IDocumentSession session, ImageScanJob job, string reason, DateTimeOffset at, CancellationToken ct)
    {
        await ScanRecording.RecordFailureAsync(session, job.Id, job.Repository, null, reason, ScanSource.Job, at, ct);
        session.Delete(job);
    }

    /// <summary>The docker config Trivy reads from $DOCKER_CONFIG/config.json: the robot's Basic credentials for the registry.</summary>
    public static string DockerConfig(string address, IssuedRobot robot) => new JsonObject
    {
        ["auths"] = new JsonObject
        {
            [address] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{robot.UserName}:{robot.Password}")) },
        },
    }.ToJsonString();
}
