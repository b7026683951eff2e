using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Pipelines;

// A pipeline's stream holds its definition's versions, each change with the whole before and after.

public sealed record PipelineCreated(
    Guid PipelineId, Guid WorkspaceId, string WorkspaceName, string Name, PipelineDefinition Definition, ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record PipelineChanged(
    Guid PipelineId, string Name, int Version, PipelineDefinition Before, PipelineDefinition After, string? Reason, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record PipelineDeleted(Guid PipelineId, string Name, ActorRef DeletedBy, DateTimeOffset DeletedAt);

/// <summary>A new webhook secret was made (the secret itself is stored encrypted, never in an event).</summary>
public sealed record PipelineWebhookSecretRotated(Guid PipelineId, string Name, ActorRef RotatedBy, DateTimeOffset RotatedAt);

// A run's stream: what started it, each step's start, log and end, approvals, and how the run ended.

public enum TriggerKind { Manual, GitPush, RegistryPush, Schedule, Rerun }

/// <summary>
/// What started a run: the git ref and commit (with the commit's time, for lead time), or the registry tag and digest
/// pushed; <see cref="Detail"/> says who or what (the pusher, the schedule).
/// </summary>
public sealed record RunTrigger(
    TriggerKind Kind, string? Ref = null, string? Commit = null, DateTimeOffset? CommittedAt = null, string? Tag = null, string? Digest = null,
    string? Detail = null);

/// <summary>The image a run carries from stage to stage: a repository (with its registry host), the tag it was pushed as, its digest.</summary>
public sealed record PipelineArtifact(string Repository, string? Tag, string Digest)
{
    /// <summary>What a deploy sets: pinned by digest, the tag kept for people to read.</summary>
    public string Reference => Tag is null ? $"{Repository}@{Digest}" : $"{Repository}:{Tag}@{Digest}";
}

/// <summary>A workload a deploy step changed: the revision it made and the one before, to roll back to.</summary>
public sealed record DeployedWorkload(Guid WorkloadId, Guid ServiceMapId, string ServiceMapName, string Workload, int Revision, int PreviousRevision)
{
    /// <summary>The deploy changed nothing (the workload already ran this): there is no rollout to wait for.</summary>
    public bool Unchanged => Revision == PreviousRevision;
}

/// <summary>A run asked for, with the pipeline's definition as it was then (later edits do not change a run).</summary>
public sealed record PipelineRunQueued(
    Guid RunId, Guid PipelineId, Guid WorkspaceId, string PipelineName, int Number, int PipelineVersion, PipelineDefinition Definition,
    RunTrigger Trigger, PipelineArtifact? Artifact, Guid? RerunOf, ActorRef QueuedBy, DateTimeOffset QueuedAt);

public sealed record PipelineRunStarted(Guid RunId, Guid PipelineId, string PipelineName, int Number, RunTrigger Trigger, ActorRef StartedBy, DateTimeOffset StartedAt);

public sealed record PipelineStepStarted(Guid RunId, Guid PipelineId, string Stage, StageKind Kind, DateTimeOffset StartedAt);

/// <summary>Lines of a step's log (what Cocktail did and saw); a build's own log stays with the build.</summary>
public sealed record PipelineStepLogged(Guid RunId, string Stage, IReadOnlyList<string> Lines, DateTimeOffset LoggedAt);

public sealed record PipelineBuildQueued(Guid RunId, string Stage, Guid BuildId, int BuildNumber, DateTimeOffset QueuedAt);

/// <summary>A deploy step's new workload revisions, made through the workloads' own flow (policies, quotas, image gate).</summary>
public sealed record PipelineDeployApplied(Guid RunId, string Stage, string Image, IReadOnlyList<DeployedWorkload> Workloads, DateTimeOffset AppliedAt);

/// <summary>The rollout tracker saw a deployed revision available (or complete).</summary>
public sealed record PipelineRolloutObserved(
    Guid RunId, string Stage, Guid WorkloadId, string Workload, string ServiceMapName, int Revision, Workloads.RolloutStatus Status, string? Message,
    DateTimeOffset ObservedAt);

public sealed record PipelineStepSucceeded(
    Guid RunId, Guid PipelineId, string Stage, StageKind Kind, string Summary, PipelineArtifact? Artifact, TimeSpan Duration, DateTimeOffset SucceededAt);

public sealed record PipelineStepFailed(Guid RunId, Guid PipelineId, string Stage, StageKind Kind, string Reason, TimeSpan Duration, DateTimeOffset FailedAt);

/// <summary>A workload the failed deploy changed is put back on the revision it ran before, automatically.</summary>
public sealed record PipelineDeployRolledBack(
    Guid RunId, string Stage, Guid WorkloadId, string Workload, int FromRevision, int ToRevision, string Reason, DateTimeOffset RolledBackAt);

/// <summary>An environment now runs the run's image: "what is deployed now", and a success for delivery metrics.</summary>
public sealed record PipelineDeployed(
    Guid RunId, Guid PipelineId, Guid WorkspaceId, string PipelineName, int RunNumber, string Stage, bool Production, PipelineArtifact Artifact,
    string? Commit, DateTimeOffset? CommittedAt, ActorRef? ApprovedBy, IReadOnlyList<DeployedWorkload> Workloads, DateTimeOffset DeployedAt);

/// <summary>A deploy that failed (refused, stalled, timed out): a failure for delivery metrics when it was production.</summary>
public sealed record PipelineDeployFailed(
    Guid RunId, Guid PipelineId, Guid WorkspaceId, string Stage, bool Production, string Reason, bool RolledBack, DateTimeOffset FailedAt);

public sealed record ApprovalRequested(Guid RunId, Guid PipelineId, Guid WorkspaceId, string PipelineName, int RunNumber, string Stage, WorkspaceRole Role,
    DateTimeOffset RequestedAt);

public sealed record ApprovalGiven(Guid RunId, string Stage, ActorRef ApprovedBy, string? Comment, DateTimeOffset ApprovedAt);

public sealed record ApprovalRejected(Guid RunId, string Stage, ActorRef RejectedBy, string Reason, DateTimeOffset RejectedAt);

public sealed record PipelineRunSucceeded(Guid RunId, Guid PipelineId, string PipelineName, int Number, TimeSpan Duration, DateTimeOffset SucceededAt);

public sealed record PipelineRunFailed(Guid RunId, Guid PipelineId, string PipelineName, int Number, string? Stage, string Reason, TimeSpan Duration,
    DateTimeOffset FailedAt);

public sealed record PipelineRunCancelled(Guid RunId, Guid PipelineId, string PipelineName, int Number, string? Reason, ActorRef CancelledBy,
    DateTimeOffset CancelledAt);
