using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Application.Pipelines;

/// <summary>A pipeline as its pages show it: its current definition and version (never its webhook secret).</summary>
public sealed class PipelineView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public string Name { get; set; } = "";
    public int Version { get; set; }
    public PipelineDefinition Definition { get; set; } = default!;
    public bool HasWebhookSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";

    public static PipelineView Create(PipelineCreated e) => new()
    {
        Id = e.PipelineId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, Name = e.Name, Version = 1, Definition = e.Definition,
        CreatedAt = e.CreatedAt, CreatedBy = e.CreatedBy.Name, ChangedAt = e.CreatedAt, ChangedBy = e.CreatedBy.Name,
    };

    public void Apply(PipelineChanged e)
    {
        Name = e.Name;
        Version = e.Version;
        Definition = e.After;
        ChangedAt = e.ChangedAt;
        ChangedBy = e.ChangedBy.Name;
    }

    public void Apply(PipelineWebhookSecretRotated _) => HasWebhookSecret = true;

    public bool ShouldDelete(PipelineDeleted _) => true;
}

public sealed record RunLogLine(DateTimeOffset At, string Text);

public sealed record RunTimelineEntry(DateTimeOffset At, string Text);

/// <summary>One stage of a run as the run page shows it.</summary>
public sealed class PipelineStepView
{
    public const int MaxLogLines = 1000;

    public string Name { get; set; } = "";
    public StageKind Kind { get; set; }
    public StepStatus Status { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double? DurationSeconds { get; set; }
    public string? Summary { get; set; }
    public string? Reason { get; set; }
    public Guid? BuildId { get; set; }
    public int? BuildNumber { get; set; }
    public WorkspaceRole? ApprovalRole { get; set; }
    public string? ApprovedBy { get; set; }
    public string? RejectedBy { get; set; }
    public List<DeployedWorkload> Workloads { get; set; } = [];
    public List<RunLogLine> Log { get; set; } = [];

    public void Append(DateTimeOffset at, string text)
    {
        if (Log.Count >= MaxLogLines) Log.RemoveAt(0);
        Log.Add(new RunLogLine(at, text));
    }
}

/// <summary>A run: trigger, status, artifact, each step (with its log), and a timeline of everything that happened.</summary>
public sealed class PipelineRunView
{
    public Guid Id { get; set; }
    public Guid PipelineId { get; set; }
    public Guid WorkspaceId { get; set; }
    public string PipelineName { get; set; } = "";
    public int Number { get; set; }
    public int PipelineVersion { get; set; }
    public PipelineDefinition Definition { get; set; } = default!;
    public RunTrigger Trigger { get; set; } = default!;
    public RunStatus Status { get; set; }
    public PipelineArtifact? Artifact { get; set; }
    public Guid? RerunOf { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public string QueuedBy { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double? DurationSeconds { get; set; }
    public string? FailedStage { get; set; }
    public string? Reason { get; set; }
    public List<PipelineStepView> Steps { get; set; } = [];
    public List<RunTimelineEntry> Timeline { get; set; } = [];
    /// <summary>What the run waits on, so a build's end or a rollout finds its run with one indexed query (a scan gate is found by its artifact's digest).</summary>
    public List<Guid> WaitingBuilds { get; set; } = [];
    public List<Guid> WaitingWorkloads { get; set; } = [];
    /// <summary>The stages waiting for an approval (the approvals inbox).</summary>
    public List<string> AwaitingApproval { get; set; } = [];

    public bool Ended => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;

    public PipelineStepView Step(string name) => Steps.First(s => s.Name == name);

    public static PipelineRunView Create(PipelineRunQueued e)
    {
        var view = new PipelineRunView
        {
            Id = e.RunId, PipelineId = e.PipelineId, WorkspaceId = e.WorkspaceId, PipelineName = e.PipelineName, Number = e.Number,
            PipelineVersion = e.PipelineVersion, Definition = e.Definition, Trigger = e.Trigger, Status = RunStatus.Queued, Artifact = e.Artifact,
            RerunOf = e.RerunOf, QueuedAt = e.QueuedAt, QueuedBy = e.QueuedBy.Name,
            Steps = e.Definition.Ordered().Select(s => new PipelineStepView { Name = s.Name, Kind = s.Kind, ApprovalRole = s.ApprovalBy }).ToList(),
        };
        view.Note(e.QueuedAt, $"Queued by {e.QueuedBy.Name} ({Describe(e.Trigger)}).");
        return view;
    }

    public static string Describe(RunTrigger t) => t.Kind switch
    {
        TriggerKind.GitPush => $"git push to {t.Ref}{(t.Commit is null ? "" : $" at {t.Commit[..Math.Min(7, t.Commit.Length)]}")}{(t.Detail is null ? "" : $" by {t.Detail}")}",
        TriggerKind.RegistryPush => $"registry push of tag {t.Tag}",
        TriggerKind.Schedule => $"schedule {t.Detail}",
        TriggerKind.Rerun => $"re-run{(t.Detail is null ? "" : $" of {t.Detail}")}",
        _ => t.Tag is not null ? $"manual, tag {t.Tag}" : t.Ref is not null ? $"manual, {t.Ref}{(t.Commit is null ? "" : $" at {t.Commit}")}" : "manual",
    };

    public void Apply(PipelineRunStarted e)
    {
        Status = RunStatus.Running;
        StartedAt = e.StartedAt;
        Note(e.StartedAt, "Started.");
    }

    public void Apply(PipelineStepStarted e)
    {
        var step = Step(e.Stage);
        step.Status = StepStatus.Running;
        step.StartedAt = e.StartedAt;
        step.Append(e.StartedAt, $"Stage {e.Stage} started.");
        AwaitingApproval.Remove(e.Stage);
        Note(e.StartedAt, $"Stage {e.Stage} started.");
    }

    public void Apply(PipelineStepLogged e)
    {
        var step = Step(e.Stage);
        foreach (var line in e.Lines) step.Append(e.LoggedAt, line);
    }

    public void Apply(PipelineBuildQueued e)
    {
        var step = Step(e.Stage);
        step.BuildId = e.BuildId;
        step.BuildNumber = e.BuildNumber;
        step.Append(e.QueuedAt, $"Build #{e.BuildNumber} queued.");
        WaitingBuilds.Add(e.BuildId);
    }

    public void Apply(PipelineDeployApplied e)
    {
        var step = Step(e.Stage);
        step.Workloads = [.. e.Workloads];
        foreach (var w in e.Workloads)
            step.Append(e.AppliedAt, w.Unchanged
                ? $"{w.Workload} ({w.ServiceMapName}) already runs {e.Image}: unchanged."
                : $"{w.Workload} ({w.ServiceMapName}): revision {w.Revision} sets {e.Image}; waiting for its rollout.");
        WaitingWorkloads.AddRange(e.Workloads.Where(w => !w.Unchanged).Select(w => w.WorkloadId));
    }

    public void Apply(PipelineRolloutObserved e)
    {
        Step(e.Stage).Append(e.ObservedAt, $"{e.Workload} ({e.ServiceMapName}): revision {e.Revision} is {e.Status.ToString().ToLowerInvariant()}.");
        WaitingWorkloads.Remove(e.WorkloadId);
    }

    public void Apply(PipelineStepSucceeded e)
    {
        var step = Step(e.Stage);
        step.Status = StepStatus.Succeeded;
        step.EndedAt = e.SucceededAt;
        step.DurationSeconds = e.Duration.TotalSeconds;
        step.Summary = e.Summary;
        step.Append(e.SucceededAt, e.Summary);
        if (e.Artifact is not null) Artifact = e.Artifact;
        Release(step);
        Note(e.SucceededAt, $"Stage {e.Stage} succeeded: {e.Summary}");
    }

    public void Apply(PipelineStepFailed e)
    {
        var step = Step(e.Stage);
        step.Status = StepStatus.Failed;
        step.EndedAt = e.FailedAt;
        step.DurationSeconds = e.Duration.TotalSeconds;
        step.Reason = e.Reason;
        step.Append(e.FailedAt, e.Reason);
        Release(step);
        AwaitingApproval.Remove(e.Stage);
        Note(e.FailedAt, $"Stage {e.Stage} failed: {e.Reason}");
    }

    public void Apply(PipelineDeployRolledBack e)
    {
        Step(e.Stage).Append(e.RolledBackAt, $"Rolling {e.Workload} back from revision {e.FromRevision} to revision {e.ToRevision}.");
        Note(e.RolledBackAt, $"{e.Workload} rolled back to revision {e.ToRevision}.");
    }

    public void Apply(ApprovalRequested e)
    {
        var step = Step(e.Stage);
        step.Status = StepStatus.WaitingApproval;
        step.Append(e.RequestedAt, $"Waiting for approval by a {e.Role}.");
        AwaitingApproval.Add(e.Stage);
        Note(e.RequestedAt, $"Stage {e.Stage} waits for approval by a {e.Role}.");
    }

    public void Apply(ApprovalGiven e)
    {
        var step = Step(e.Stage);
        step.Status = StepStatus.Pending;
        step.ApprovedBy = e.ApprovedBy.Name;
        step.Append(e.ApprovedAt, $"Approved by {e.ApprovedBy.Name}{(e.Comment is null ? "" : $": {e.Comment}")}.");
        AwaitingApproval.Remove(e.Stage);
        Note(e.ApprovedAt, $"Stage {e.Stage} approved by {e.ApprovedBy.Name}.");
    }

    public void Apply(ApprovalRejected e)
    {
        Step(e.Stage).RejectedBy = e.RejectedBy.Name;
        AwaitingApproval.Remove(e.Stage);
        Note(e.RejectedAt, $"Stage {e.Stage} rejected by {e.RejectedBy.Name}: {e.Reason}");
    }

    public void Apply(PipelineRunSucceeded e) => End(RunStatus.Succeeded, e.SucceededAt, e.Duration, "Run succeeded.");

    public void Apply(PipelineRunFailed e)
    {
        FailedStage = e.Stage;
        Reason = e.Reason;
        End(RunStatus.Failed, e.FailedAt, e.Duration, $"Run failed{(e.Stage is null ? "" : $" at {e.Stage}")}.");
    }

    public void Apply(PipelineRunCancelled e)
    {
        Reason = e.Reason;
        End(RunStatus.Cancelled, e.CancelledAt, StartedAt is { } s ? e.CancelledAt - s : TimeSpan.Zero,
            $"Cancelled by {e.CancelledBy.Name}{(e.Reason is null ? "" : $": {e.Reason}")}.");
    }

    private void End(RunStatus status, DateTimeOffset at, TimeSpan duration, string note)
    {
        Status = status;
        EndedAt = at;
        DurationSeconds = duration.TotalSeconds;
        WaitingBuilds.Clear();
        WaitingWorkloads.Clear();
        AwaitingApproval.Clear();
        Note(at, note);
    }

    private void Release(PipelineStepView step)
    {
        if (step.BuildId is { } build) WaitingBuilds.Remove(build);
        foreach (var w in step.Workloads) WaitingWorkloads.Remove(w.WorkloadId);
    }

    private void Note(DateTimeOffset at, string text) => Timeline.Add(new RunTimelineEntry(at, text));
}

/// <summary>Words for a run's trigger, shared by the run page and the audit trail.</summary>
public static class PipelineRunDescribing
{
    public static string Trigger(RunTrigger t) => PipelineRunView.Describe(t);
}
