using System.Collections.Immutable;
using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;

namespace Cocktail.Domain.Pipelines;

public enum RunStatus { Queued, Running, Succeeded, Failed, Cancelled }

public enum StepStatus { Pending, WaitingApproval, Running, Succeeded, Failed }

/// <summary>Where one stage of a run is, and what it waits on (its build, its workloads' rollouts).</summary>
public sealed record StepState(
    StepStatus Status, DateTimeOffset? StartedAt = null, Guid? BuildId = null, string? Reason = null, ActorRef? ApprovedBy = null)
{
    public IReadOnlyList<DeployedWorkload> Deployed { get; init; } = [];
    public ImmutableHashSet<Guid> Settled { get; init; } = [];

    /// <summary>The changed workloads whose new revision is not yet available.</summary>
    public IEnumerable<DeployedWorkload> Waiting => Deployed.Where(w => !w.Unchanged && !Settled.Contains(w.WorkloadId));
}

/// <summary>
/// One run of a pipeline, with the definition it started from. It decides which stages start once the ones they
/// wait for succeeded (or asks for approval first), and how each step ends from what the build, the scan, the deploy
/// and the rollout tracker report; a failed or stalled rollout ends the deploy step and rolls its workloads back.
/// </summary>
public sealed record PipelineRun(
    Guid Id, Guid PipelineId, Guid WorkspaceId, string PipelineName, int Number, PipelineDefinition Definition, RunTrigger Trigger, RunStatus Status,
    DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, PipelineArtifact? Artifact, ImmutableDictionary<string, StepState> Steps)
{
    public bool Ended => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;

    public StepState StepOf(string stage) => Steps.TryGetValue(stage, out var s) ? s : new StepState(StepStatus.Pending);

    /// <summary>A queued run takes its slot: it starts, and so do the stages that wait for nothing.</summary>
    public Decision Start(ActorRef by, DateTimeOffset at) =>
        Status == RunStatus.Queued ? Continue([new PipelineRunStarted(Id, PipelineId, PipelineName, Number, Trigger, by, at)], at) : Decision.Nothing;

    public Decision Cancel(string? reason, ActorRef by, DateTimeOffset at) =>
        Ended
            ? DomainError.Conflict($"Run #{Number} of {PipelineName} has already ended ({Status}).")
            : Decision.Accept(new PipelineRunCancelled(Id, PipelineId, PipelineName, Number, reason, by, at));

    /// <summary>Lines for a step's log; also after the run ended, for what its end set off (a rollback's outcome).</summary>
    public Decision Log(string stage, IReadOnlyList<string> lines, DateTimeOffset at) =>
        Status != RunStatus.Queued && Definition.Stage(stage) is not null && lines.Count > 0
            ? Decision.Accept(new PipelineStepLogged(Id, stage, lines, at))
            : Decision.Nothing;

    /// <summary>The build step's build was queued.</summary>
    public Decision RecordBuild(string stage, Guid buildId, int buildNumber, DateTimeOffset at) =>
        IsRunning(stage, StageKind.Build) && StepOf(stage).BuildId is null
            ? Decision.Accept(new PipelineBuildQueued(Id, stage, buildId, buildNumber, at))
            : Decision.Nothing;

    /// <summary>The step's build ended: its image becomes the run's artifact, or the step fails with the build's reason.</summary>
    public Decision BuildEnded(Guid buildId, bool succeeded, string? repository, string? tag, string? digest, string? reason, DateTimeOffset at)
    {
        var stage = Steps.FirstOrDefault(s => s.Value.BuildId == buildId && s.Value.Status == StepStatus.Running).Key;
        if (Status != RunStatus.Running || stage is null) return Decision.Nothing;
        var step = StepOf(stage);
        if (succeeded && repository is not null && digest is not null)
            return Continue([Succeeded(stage, $"Built {repository}:{tag} ({Short(digest)}).", new PipelineArtifact(repository, tag, digest), step, at)], at);
        return Continue([Failed(stage, reason ?? "The build failed.", step, at)], at);
    }

    /// <summary>A step Cocktail decides itself (the scan gate's verdict) passed.</summary>
    public Decision Pass(string stage, string summary, DateTimeOffset at) =>
        Status == RunStatus.Running && StepOf(stage).Status == StepStatus.Running
            ? Continue([Succeeded(stage, summary, null, StepOf(stage), at)], at)
            : Decision.Nothing;

    /// <summary>A running step failed with a reason; a deploy step's changed workloads are rolled back.</summary>
    public Decision Fail(string stage, string reason, DateTimeOffset at)
    {
        if (Status != RunStatus.Running || StepOf(stage).Status != StepStatus.Running) return Decision.Nothing;
        return Definition.Stage(stage)?.Kind is StageKind.Deploy or StageKind.Promote ? FailDeploy(stage, reason, at) : Continue([Failed(stage, reason, StepOf(stage), at)], at);
    }

    /// <summary>
    /// The deploy step's workloads have their new revisions. Without waiting for the rollout (or when nothing changed)
    /// the step succeeds now; else it waits for the tracker to see each revision available.
    /// </summary>
    public Decision RecordDeploy(string stage, string image, IReadOnlyList<DeployedWorkload> workloads, DateTimeOffset at)
    {
        if (!IsRunning(stage, StageKind.Deploy, StageKind.Promote) || StepOf(stage).Deployed.Count > 0) return Decision.Nothing;
        var applied = new PipelineDeployApplied(Id, stage, image, workloads, at);
        var after = Apply(applied);
        var step = after.StepOf(stage);
        return Definition.Stage(stage)!.WaitForRollout && step.Waiting.Any()
            ? Decision.Accept(applied)
            : Continue([applied, .. after.Deployed(stage, step, at)], at);
    }

    /// <summary>
    /// What the rollout tracker saw of a workload's revision. Available (or complete) for every changed workload ends
    /// the step well; stalled or failed ends it badly and rolls back every workload the step changed.
    /// </summary>
    public Decision RolloutObserved(Guid workloadId, int revision, RolloutStatus status, string? message, DateTimeOffset at)
    {
        if (Status != RunStatus.Running) return Decision.Nothing;
        var (stage, step) = Steps.FirstOrDefault(s => s.Value.Status == StepStatus.Running && s.Value.Waiting.Any(w => w.WorkloadId == workloadId && w.Revision == revision));
        if (stage is null) return Decision.Nothing;
        var workload = step.Deployed.First(w => w.WorkloadId == workloadId);
        switch (status)
        {
            case RolloutStatus.Available or RolloutStatus.Complete:
                var observed = new PipelineRolloutObserved(Id, stage, workloadId, workload.Workload, workload.ServiceMapName, revision, status, message, at);
                var after = Apply(observed);
                var settled = after.StepOf(stage);
                return settled.Waiting.Any() ? Decision.Accept(observed) : Continue([observed, .. after.Deployed(stage, settled, at)], at);
            case RolloutStatus.Stalled or RolloutStatus.Failed:
                var why = $"The rollout of {workload.Workload} ({workload.ServiceMapName}) revision {revision} {(status == RolloutStatus.Stalled ? "stalled" : "failed")}" +
                          (message is null ? "." : $": {message}");
                return FailDeploy(stage, why, at);
            default:
                return Decision.Nothing;
        }
    }

    /// <summary>A step that still runs after its stage's timeout fails (a deploy's workloads are rolled back).</summary>
    public Decision TimeOut(string stage, DateTimeOffset startedAt, DateTimeOffset at)
    {
        var step = StepOf(stage);
        if (Status != RunStatus.Running || step.Status != StepStatus.Running || step.StartedAt != startedAt) return Decision.Nothing;
        var definition = Definition.Stage(stage)!;
        var reason = definition.Kind switch
        {
            StageKind.Deploy or StageKind.Promote => $"The rollout did not finish within {definition.TimeoutMinutes} minutes.",
            StageKind.ScanGate => $"No scan result for the image within {definition.TimeoutMinutes} minutes.",
            _ => $"The step did not end within {definition.TimeoutMinutes} minutes.",
        };
        return Fail(stage, reason, at);
    }

    /// <summary>An approver let the stage start. The caller checked the approver's role in the workspace.</summary>
    public Decision Approve(string stage, ActorRef by, string? comment, DateTimeOffset at)
    {
        if (WaitingFor(stage) is { } refused) return refused;
        return Continue([new ApprovalGiven(Id, stage, by, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), at)], at);
    }

    public Decision Reject(string stage, ActorRef by, string? reason, DateTimeOffset at)
    {
        if (WaitingFor(stage) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the promotion is rejected.", "reason");
        var rejected = new ApprovalRejected(Id, stage, by, reason.Trim(), at);
        var failed = new PipelineStepFailed(Id, PipelineId, stage, Definition.Stage(stage)!.Kind, $"Rejected by {by.Name}: {reason.Trim()}", TimeSpan.Zero, at);
        return Continue([rejected, failed], at);
    }

    private DomainError? WaitingFor(string stage)
    {
        if (Definition.Stage(stage) is null) return DomainError.NotFound($"Run #{Number} has no stage '{stage}'.");
        if (Ended) return DomainError.Conflict($"Run #{Number} of {PipelineName} has already ended ({Status}).");
        return StepOf(stage).Status == StepStatus.WaitingApproval ? null : DomainError.Conflict($"Stage '{stage}' is not waiting for an approval.");
    }

    private bool IsRunning(string stage, params StageKind[] kinds) =>
        Status == RunStatus.Running && StepOf(stage).Status == StepStatus.Running && Definition.Stage(stage) is { } s && kinds.Contains(s.Kind);

    private Decision FailDeploy(string stage, string reason, DateTimeOffset at)
    {
        var step = StepOf(stage);
        var rolledBack = step.Deployed.Where(w => !w.Unchanged)
            .Select(w => new PipelineDeployRolledBack(Id, stage, w.WorkloadId, w.Workload, w.Revision, w.PreviousRevision, reason, at))
            .ToList();
        var said = rolledBack.Count == 0
            ? reason
            : $"{reason} Rolled back: {string.Join(", ", rolledBack.Select(r => $"{r.Workload} to revision {r.ToRevision}"))}.";
        List<object> events = [.. rolledBack, Failed(stage, said, step, at),
            new PipelineDeployFailed(Id, PipelineId, WorkspaceId, stage, Definition.ProductionStage == stage, said, rolledBack.Count > 0, at)];
        return Continue(events, at);
    }

    private IEnumerable<object> Deployed(string stage, StepState step, DateTimeOffset at)
    {
        var names = string.Join(", ", step.Deployed.Select(w => w.Unchanged ? $"{w.Workload} (unchanged)" : $"{w.Workload} revision {w.Revision}"));
        var mapNames = string.Join(", ", step.Deployed.Select(w => w.ServiceMapName).Distinct());
        yield return Succeeded(stage, $"Deployed {Artifact?.Reference} to {mapNames}: {names}.", null, step, at);
        if (Artifact is { } artifact)
            yield return new PipelineDeployed(Id, PipelineId, WorkspaceId, PipelineName, Number, stage, Definition.ProductionStage == stage, artifact,
                Trigger.Commit, Trigger.CommittedAt, step.ApprovedBy, step.Deployed, at);
    }

    private PipelineStepSucceeded Succeeded(string stage, string summary, PipelineArtifact? artifact, StepState step, DateTimeOffset at) =>
        new(Id, PipelineId, stage, Definition.Stage(stage)!.Kind, summary, artifact, at - (step.StartedAt ?? at), at);

    private PipelineStepFailed Failed(string stage, string reason, StepState step, DateTimeOffset at) =>
        new(Id, PipelineId, stage, Definition.Stage(stage)!.Kind, reason, at - (step.StartedAt ?? at), at);

    /// <summary>
    /// After <paramref name="events"/>: a failed step fails the run; else every stage whose waits all succeeded starts
    /// (or asks for approval first); when every stage succeeded the run does.
    /// </summary>
    private Decision Continue(List<object> events, DateTimeOffset at)
    {
        var state = events.Aggregate(this, (s, e) => s.Fold(e));
        if (state.Status != RunStatus.Running) return Decision.Accept([.. events]);
        var duration = at - (state.StartedAt ?? at);
        if (state.Steps.FirstOrDefault(s => s.Value.Status == StepStatus.Failed) is { Key: { } failed } failure)
        {
            events.Add(new PipelineRunFailed(Id, PipelineId, PipelineName, Number, failed, failure.Value.Reason ?? "A step failed.", duration, at));
            return Decision.Accept([.. events]);
        }
        foreach (var stage in state.Definition.Ordered())
        {
            var step = state.StepOf(stage.Name);
            if (step.Status != StepStatus.Pending || !state.Definition.AfterOf(stage).All(a => state.StepOf(a).Status == StepStatus.Succeeded)) continue;
            object next = stage.ApprovalBy is { } role && step.ApprovedBy is null
                ? new ApprovalRequested(Id, PipelineId, WorkspaceId, PipelineName, Number, stage.Name, role, at)
                : new PipelineStepStarted(Id, PipelineId, stage.Name, stage.Kind, at);
            events.Add(next);
            state = state.Fold(next);
        }
        if (state.Definition.Stages.All(s => state.StepOf(s.Name).Status == StepStatus.Succeeded))
            events.Add(new PipelineRunSucceeded(Id, PipelineId, PipelineName, Number, duration, at));
        return Decision.Accept([.. events]);
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    public PipelineRun Fold(object e) => e switch
    {
        PipelineRunStarted x => Apply(x),
        PipelineStepStarted x => Apply(x),
        PipelineStepLogged x => Apply(x),
        PipelineBuildQueued x => Apply(x),
        PipelineDeployApplied x => Apply(x),
        PipelineRolloutObserved x => Apply(x),
        PipelineStepSucceeded x => Apply(x),
        PipelineStepFailed x => Apply(x),
        PipelineDeployRolledBack x => Apply(x),
        PipelineDeployed x => Apply(x),
        PipelineDeployFailed x => Apply(x),
        ApprovalRequested x => Apply(x),
        ApprovalGiven x => Apply(x),
        ApprovalRejected x => Apply(x),
        PipelineRunSucceeded x => Apply(x),
        PipelineRunFailed x => Apply(x),
        PipelineRunCancelled x => Apply(x),
        _ => this,
    };

    public static PipelineRun Create(PipelineRunQueued e) =>
        new(e.RunId, e.PipelineId, e.WorkspaceId, e.PipelineName, e.Number, e.Definition, e.Trigger, RunStatus.Queued, e.QueuedAt, null, e.Artifact,
            ImmutableDictionary<string, StepState>.Empty.WithComparers(StringComparer.Ordinal));

    public PipelineRun Apply(PipelineRunStarted e) => this with { Status = RunStatus.Running, StartedAt = e.StartedAt };
    public PipelineRun Apply(PipelineStepStarted e) => With(e.Stage, s => s with { Status = StepStatus.Running, StartedAt = e.StartedAt });
    public PipelineRun Apply(PipelineStepLogged _) => this;
    public PipelineRun Apply(PipelineBuildQueued e) => With(e.Stage, s => s with { BuildId = e.BuildId });
    public PipelineRun Apply(PipelineDeployApplied e) => With(e.Stage, s => s with { Deployed = e.Workloads });
    public PipelineRun Apply(PipelineRolloutObserved e) =>
        e.Status is RolloutStatus.Available or RolloutStatus.Complete ? With(e.Stage, s => s with { Settled = s.Settled.Add(e.WorkloadId) }) : this;
    public PipelineRun Apply(PipelineStepSucceeded e) =>
        With(e.Stage, s => s with { Status = StepStatus.Succeeded }) with { Artifact = e.Artifact ?? Artifact };
    public PipelineRun Apply(PipelineStepFailed e) => With(e.Stage, s => s with { Status = StepStatus.Failed, Reason = e.Reason });
    public PipelineRun Apply(PipelineDeployRolledBack _) => this;
    public PipelineRun Apply(PipelineDeployed _) => this;
    public PipelineRun Apply(PipelineDeployFailed _) => this;
    public PipelineRun Apply(ApprovalRequested e) => With(e.Stage, s => s with { Status = StepStatus.WaitingApproval });
    public PipelineRun Apply(ApprovalGiven e) => With(e.Stage, s => s with { Status = StepStatus.Pending, ApprovedBy = e.ApprovedBy });
    public PipelineRun Apply(ApprovalRejected _) => this;
    public PipelineRun Apply(PipelineRunSucceeded _) => this with { Status = RunStatus.Succeeded };
    public PipelineRun Apply(PipelineRunFailed _) => this with { Status = RunStatus.Failed };
    public PipelineRun Apply(PipelineRunCancelled _) => this with { Status = RunStatus.Cancelled };

    private PipelineRun With(string stage, Func<StepState, StepState> change) => this with { Steps = Steps.SetItem(stage, change(StepOf(stage))) };
}
