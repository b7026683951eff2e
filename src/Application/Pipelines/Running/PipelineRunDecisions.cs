using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

// The messages a run's decisions send. Each started step gets the message of its kind; its handler does the work
// (queue the build, judge the scan, change the workloads) and hands the outcome back to the run's decision.

/// <summary>
/// Every trigger's way in (manual, git push, registry push, schedule, re-run): queue a run of the pipeline as it is now,
/// and start it when the pipeline's concurrency allows (or cancel older runs, as the pipeline says).
/// <see cref="RunId"/>: the new run's id when the sender answers it before the run exists (a webhook's 202); else a new one.
/// </summary>
public sealed record QueuePipelineRun(Guid PipelineId, RunTrigger Trigger, PipelineArtifact? Artifact, ActorRef By, Guid? RerunOf = null, Guid? RunId = null);

/// <summary>Queue the build stage's build and remember it on the run.</summary>
public sealed record RunBuildStep(Guid RunId, string Stage);

/// <summary>Judge the run's image by its scan (waiting for the scan when it has none yet).</summary>
public sealed record RunScanGateStep(Guid RunId, string Stage);

/// <summary>Set the run's image on the stage's workloads, as new revisions through the workloads' own flow.</summary>
public sealed record RunDeployStep(Guid RunId, string Stage);

/// <summary>Put a workload the failed deploy changed back on its previous revision.</summary>
public sealed record RollBackDeployedWorkload(Guid RunId, string Stage, Guid WorkloadId, int ToRevision, string Reason);

/// <summary>The stage's timeout passed: if the step still runs (the same start), it fails.</summary>
public sealed record PipelineStepTimedOut(Guid RunId, string Stage, DateTimeOffset StartedAt);

/// <summary>A run of the pipeline ended: start the queued runs that now have a slot.</summary>
public sealed record StartQueuedRuns(Guid PipelineId);

/// <summary>A cancelled run's running steps stop (its builds are cancelled).</summary>
public sealed record StopCancelledRun(Guid RunId);

/// <summary>
/// The write side every run change shares: load the run, decide, append, and send what the new events ask for
/// (a started step's work, its timeout, a rollback, the next queued run). Handlers of triggers, steps, observations
/// and approvals all go through here, so a step's end and the next step's start are one transaction.
/// </summary>
public static class PipelineRunDecisions
{
    public static async Task<Result<Accepted>> DecideAsync(IDocumentSession session, Guid runId, Func<PipelineRun, Decision> decide,
        IMessageContext messages, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<PipelineRun>(runId, ct);
        if (stream.Aggregate is not { } run) return Failure.NotFound("No such pipeline run.");
        var decision = decide(run);
        if (decision.Error is { } error) return error;
        if (decision.Events.Count > 0)
        {
            stream.AppendMany(decision.Events.ToArray());
            await FollowUpAsync(run, decision.Events, messages);
        }
        return new Accepted(runId, (stream.CurrentVersion ?? 0) + decision.Events.Count);
    }

    /// <summary>The messages <paramref name="events"/> (just decided on <paramref name="run"/>) ask for.</summary>
    public static async Task FollowUpAsync(PipelineRun run, IReadOnlyList<object> events, IMessageContext messages)
    {
        foreach (var e in events)
            switch (e)
            {
                case PipelineStepStarted started:
                    await messages.PublishAsync<object>(started.Kind switch
                    {
                        StageKind.Build => new RunBuildStep(run.Id, started.Stage),
                        StageKind.ScanGate => new RunScanGateStep(run.Id, started.Stage),
                        _ => new RunDeployStep(run.Id, started.Stage),
                    });
                    var timeout = TimeSpan.FromMinutes(run.Definition.Stage(started.Stage)!.TimeoutMinutes);
                    await messages.ScheduleAsync(new PipelineStepTimedOut(run.Id, started.Stage, started.StartedAt), timeout);
                    break;
                case PipelineDeployRolledBack back:
                    await messages.PublishAsync(new RollBackDeployedWorkload(run.Id, back.Stage, back.WorkloadId, back.ToRevision, back.Reason));
                    break;
                case PipelineRunCancelled:
                    await messages.PublishAsync(new StopCancelledRun(run.Id));
                    await messages.PublishAsync(new StartQueuedRuns(run.PipelineId));
                    break;
                case PipelineRunSucceeded or PipelineRunFailed:
                    await messages.PublishAsync(new StartQueuedRuns(run.PipelineId));
                    break;
            }
    }
}
