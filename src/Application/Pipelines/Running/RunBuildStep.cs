using Cocktail.Application.Builds;
using Cocktail.Application.Builds.Running;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

/// <summary>
/// A build stage started: queue its build definition's build of the run's commit, as the pipeline, and remember the
/// build on the run. A refusal (no registry, no build cluster, the definition deleted) fails the step with its words.
/// </summary>
public static class RunBuildStepHandler
{
    public static async Task Handle(RunBuildStep command, IDocumentSession session, IOptions<RegistryOptions> registry, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var run = await session.Events.FetchLatest<PipelineRun>(command.RunId, ct);
        // A redelivery after the build was queued, a cancelled run, a stage that already ended: nothing to do.
        if (run is not { Status: RunStatus.Running } || run.StepOf(command.Stage) is not { Status: StepStatus.Running, BuildId: null }) return;
        var stage = run.Definition.Stage(command.Stage);
        if (stage?.BuildDefinition is not { } definitionId) return;

        var commit = run.Trigger.Commit is { } c && BuildRules.IsValidCommit(c.ToLowerInvariant()) ? c.ToLowerInvariant() : null;
        var definition = await session.Events.FetchLatest<BuildDefinition>(definitionId, ct);
        var lines = new List<string>();
        if (run.Trigger.Commit is { } pushed && commit is null)
            lines.Add($"Commit {pushed} is not one a build can take (7 to 40 hexadecimal characters): the build takes the head of its ref.");
        if (definition is not null && run.Trigger.Ref is { } pushedRef && !SameRef(definition.Source.Ref, pushedRef))
            lines.Add($"The build definition {definition.Name} builds ref {definition.Source.Ref}; the run is for {pushedRef}" +
                      (commit is null ? "." : $", so it builds commit {commit[..Math.Min(12, commit.Length)]} with the definition's ref."));

        var at = clock.GetUtcNow();
        var actor = PipelineActors.ActorFor(run.PipelineId, run.PipelineName);
        var queued = await RunBuildHandler.QueueAsync(definitionId, commit, null, actor, session, registry.Value, messages, clock, ct);
        if (queued.Failure is { } refused)
        {
            await PipelineRunDecisions.DecideAsync(session, run.Id, r => Then(r.Log(command.Stage, lines, at), r.Fail(command.Stage, $"The build was not queued: {refused.Message}", at)),
                messages, ct);
            return;
        }
        var buildId = queued.Value!.Id;
        var number = session.PendingChanges.Streams().Where(s => s.Id == buildId).SelectMany(s => s.Events).Select(e => e.Data).OfType<BuildQueued>()
            .Select(b => b.Number).FirstOrDefault();
        await PipelineRunDecisions.DecideAsync(session, run.Id, r => Then(r.Log(command.Stage, lines, at), r.RecordBuild(command.Stage, buildId, number, at)),
            messages, ct);
    }

    private static bool SameRef(string definitionRef, string pushedRef) =>
        string.Equals(definitionRef, pushedRef, StringComparison.Ordinal) ||
        string.Equals($"refs/heads/{definitionRef}", pushedRef, StringComparison.Ordinal) ||
        string.Equals(definitionRef, $"refs/heads/{pushedRef}", StringComparison.Ordinal);

    /// <summary>Two decisions on the same run, the second's events after the first's (a refused second keeps the first).</summary>
    internal static Decision Then(Decision first, Decision second)
    {
        if (first.Error is not null) return first;
        if (second.Error is not null || second.Events.Count == 0) return first;
        return first.Events.Count == 0 ? second : Decision.Accept([.. first.Events, .. second.Events]);
    }
}

/// <summary>A build ended: the runs whose build step waits on it continue (with the image as their artifact) or fail.</summary>
public static class BuildEndedHandler
{
    public static async Task Handle(BuildEnded message, IDocumentSession session, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var runs = await session.Query<PipelineRunView>().Where(r => r.WaitingBuilds.Contains(message.BuildId)).Select(r => r.Id).ToListAsync(ct);
        if (runs.Count == 0) return;
        var (repository, tag) = Split(message.Image);
        var at = clock.GetUtcNow();
        foreach (var runId in runs)
            await PipelineRunDecisions.DecideAsync(session, runId,
                run => run.BuildEnded(message.BuildId, message.Status == BuildStatus.Succeeded, repository, tag, message.Digest, message.Reason, at), messages, ct);
    }

    /// <summary>"127.0.0.1:5000/ws/api:main-1" → ("127.0.0.1:5000/ws/api", "main-1"), read as the gate reads images.</summary>
    public static (string? Repository, string? Tag) Split(string? image) =>
        ImageScanning.ImageRef.Parse(image) is { } parsed ? ($"{parsed.Registry}/{parsed.Repository}", parsed.Tag) : (null, null);
}
