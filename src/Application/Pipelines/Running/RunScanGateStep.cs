using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Application.Registries;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

/// <summary>
/// A scan gate started: judge the run's image by its latest scan with the stage's rules and the workspace's active
/// exceptions. Without a scan yet the step waits (the scan's end judges again); a failed scan fails it.
/// </summary>
public static class RunScanGateStepHandler
{
    public static async Task Handle(RunScanGateStep command, IDocumentSession session, IOptions<RegistryOptions> registry,
        IOptions<ImageScanningOptions> scanning, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var run = await session.Events.FetchLatest<PipelineRun>(command.RunId, ct);
        if (run is not { Status: RunStatus.Running } || run.StepOf(command.Stage).Status != StepStatus.Running) return;
        await ScanGates.JudgeAsync(session, run.Id, command.Stage, firstLook: true, registry.Value, scanning.Value, messages, clock, ct);
    }
}

/// <summary>An image's scan ended: the running scan gates of the runs that carry it judge it now.</summary>
public static class ImageScannedHandler
{
    public static async Task Handle(ImageScanned message, IDocumentSession session, IOptions<RegistryOptions> registry,
        IOptions<ImageScanningOptions> scanning, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var runs = await session.Query<PipelineRunView>()
            .Where(r => r.Status == RunStatus.Running && r.Artifact != null && r.Artifact.Digest == message.Digest).ToListAsync(ct);
        foreach (var run in runs)
            foreach (var step in run.Steps.Where(s => s.Kind == StageKind.ScanGate && s.Status == StepStatus.Running))
                await ScanGates.JudgeAsync(session, run.Id, step.Name, firstLook: false, registry.Value, scanning.Value, messages, clock, ct);
    }
}

public static class ScanGates
{
    /// <summary>The image rules a scan gate's spec stands for: a scan is always required (the gate waits for one).</summary>
    public static ImageScanPolicy Policy(ScanGateSpec? spec)
    {
        var s = spec ?? new ScanGateSpec();
        return new ImageScanPolicy(BlockCritical: s.BlockCritical, MaxHigh: s.MaxHigh, OnlyWithFix: s.OnlyWithFix, RequireScan: true);
    }

    /// <summary>
    /// Judges the step's image now, or (no scan yet) says in the log that it waits, the first time only, and asks for the
    /// scan when nobody has.
    /// </summary>
    public static async Task JudgeAsync(IDocumentSession session, Guid runId, string stage, bool firstLook, RegistryOptions registry,
        ImageScanningOptions scanning, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var run = await session.Events.FetchLatest<PipelineRun>(runId, ct);
        if (run is not { Status: RunStatus.Running } || run.StepOf(stage).Status != StepStatus.Running) return;
        var now = clock.GetUtcNow();
        if (run.Artifact is not { } artifact)
        {
            await PipelineRunDecisions.DecideAsync(session, runId, r => r.Fail(stage, "The run has no image to judge: no stage before the gate produced one.", now),
                messages, ct);
            return;
        }

        var digest = artifact.Digest;
        var shortDigest = ImageVerdict.ShortDigest(digest);
        var repository = InRegistry(artifact.Repository, registry);
        var record = await session.LoadAsync<ImageScanRecord>(digest, ct);
        var scanPending = await session.LoadAsync<ImageScanJob>(digest, ct) is not null;

        if (record?.Scan is not { } scan || !string.Equals(scan.Digest, digest, StringComparison.Ordinal))
        {
            if (!scanPending && record?.LastAttempt is { Status: ScanAttemptStatus.Failed } failed)
            {
                await PipelineRunDecisions.DecideAsync(session, runId, r => r.Fail(stage, $"The scan of {shortDigest} failed: {failed.FailureReason}", now), messages, ct);
                return;
            }
            if (!scanning.Enabled)
            {
                await PipelineRunDecisions.DecideAsync(session, runId,
                    r => r.Fail(stage, $"Image scanning is off (Cocktail:ImageScanning:Enabled), so {shortDigest} will never be scanned.", now), messages, ct);
                return;
            }
            if (!firstLook) return;
            var lines = new List<string> { $"Waiting for the scan of {digest}." };
            if (!scanPending && repository is not null)
            {
                // Pushes are scanned as the registry reports them; an image pushed before scanning was on is asked for here.
                await messages.PublishAsync(new ScanImage(run.WorkspaceId, repository, digest, artifact.Tag, $"scan gate of {run.PipelineName} #{run.Number}"));
            }
            await PipelineRunDecisions.DecideAsync(session, runId, r => r.Log(stage, lines, now), messages, ct);
            return;
        }

        var exceptions = (await session.Query<VulnerabilityExceptionView>()
            .Where(x => x.WorkspaceId == run.WorkspaceId && x.RevokedAt == null && x.ValidUntil > now).ToListAsync(ct)).Select(x => x.ToDomain()).ToList();
        var spec = run.Definition.Stage(stage)?.Scan;
        var verdict = ImageVerdict.Decide(scan, Policy(spec), exceptions, repository ?? artifact.Repository, digest, now);
        if (verdict.Allowed)
        {
            var counted = scan.Vulnerabilities.Where(v => spec?.OnlyWithFix != true || v.HasFix).Except(verdict.Waived).ToList();
            var summary = $"No finding blocks {shortDigest}: {counted.Count(v => v.Severity == Severity.Critical)} critical, " +
                          $"{counted.Count(v => v.Severity == Severity.High)} high" +
                          (verdict.Waived.Count == 0 ? "." : $" ({verdict.Waived.Count} waived by exceptions).");
            await PipelineRunDecisions.DecideAsync(session, runId, r => r.Pass(stage, summary, now), messages, ct);
        }
        else
        {
            await PipelineRunDecisions.DecideAsync(session, runId, r => r.Fail(stage, $"Blocked: {verdict.Message}.", now), messages, ct);
        }
    }

    /// <summary>"127.0.0.1:5000/ws/api" → "ws/api" when the host is the workspace registry's; else null (another registry's image).</summary>
    public static string? InRegistry(string repository, RegistryOptions registry)
    {
        if (registry.Address is not { Length: > 0 } address) return null;
        return repository.StartsWith(address + "/", StringComparison.OrdinalIgnoreCase) ? repository[(address.Length + 1)..] : null;
    }
}
