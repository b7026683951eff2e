using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Registries;
using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning.Scanning;

/// <summary>What the scan tracker saw of a running scanner Job that has ended (or gone).</summary>
[MessageIdentity("Cocktail.Application.ImageScanning.RecordScanOutcome")]
public sealed record RecordScanOutcome(string Digest, Guid ScanId, ScanJobObservation Observation);

/// <summary>After a scan ended: revoke its pull robot, remove its Secret and Job.</summary>
[MessageIdentity("Cocktail.Application.ImageScanning.CleanUpImageScan")]
public sealed record CleanUpImageScan(Guid ClusterId, string Namespace, string JobName, Guid? RobotId, string Digest);

public static class RecordScanOutcomeHandler
{
    public static async Task Handle(RecordScanOutcome command, IDocumentSession session, IImageScanCluster scans, ICredentialVault vault,
        IOptions<ImageScanningOptions> options, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var job = await session.LoadAsync<ImageScanJob>(command.Digest, ct);
        // Another replica's tracker, or a retry, recorded it already.
        if (job is not { Status: ScanJobStatus.Running } || job.ScanId != command.ScanId) return;
        var now = clock.GetUtcNow();
        var observation = command.Observation;
        switch (observation.Phase)
        {
            case ScanJobPhase.Running:
                return;
            case ScanJobPhase.Missing:
                await ScanRecording.RecordFailureAsync(session, job.Id, job.Repository, null,
                    "The scanner Job is gone from the build cluster before it reported (deleted by someone, or the cluster was reset).", ScanSource.Job, now, ct);
                break;
            case ScanJobPhase.Failed:
                await ScanRecording.RecordFailureAsync(session, job.Id, job.Repository, null,
                    $"The scanner failed: {observation.FailureReason ?? "no reason given"}", ScanSource.Job, now, ct);
                break;
            case ScanJobPhase.Succeeded:
                if (await session.LoadAsync<ClusterCredential>(job.ClusterId!.Value, ct) is not { } credential)
                {
                    await ScanRecording.RecordFailureAsync(session, job.Id, job.Repository, null, "The build cluster is no longer registered; the report cannot be read.",
                        ScanSource.Job, now, ct);
                    break;
                }
                var reading = await scans.ReadReportAsync(vault.Unprotect(credential.Protected), job.Namespace!, job.JobName!, job.Repository, job.Id, now,
                    options.Value.Limits, ct);
                if (reading is null) return; // the cluster did not answer: the tracker sees the ended Job again and retries
                await ScanRecording.RecordAsync(session, job.Id, job.Repository, null, reading, ScanSource.Job, now, ct);
                break;
        }
        session.Delete(job);
        await messages.PublishAsync(new ImageScanned(job.Id));
        await messages.PublishAsync(new CleanUpImageScan(job.ClusterId!.Value, job.Namespace!, job.JobName!, job.RobotId, job.Id));
        await messages.PublishAsync(new DispatchImageScans());
    }
}

public static class CleanUpImageScanHandler
{
    public static async Task Handle(CleanUpImageScan command, IDocumentSession session, IImageScanCluster scans, IRobotAccounts robots, ICredentialVault vault,
        CancellationToken ct)
    {
        if (command.RobotId is { } robot)
            await robots.RevokeAsync(robot, ActorRef.System, $"the image scan of {ImageVerdict.ShortDigest(command.Digest)} ended", ct);
        if (await session.LoadAsync<ClusterCredential>(command.ClusterId, ct) is not { } credential) return;
        await scans.CleanUpAsync(vault.Unprotect(credential.Protected), command.Namespace, command.JobName, ct);
    }
}
