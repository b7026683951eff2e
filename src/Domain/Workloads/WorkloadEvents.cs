using Cocktail.Domain.Common;

namespace Cocktail.Domain.Workloads;

// Every change carries the whole desired spec and the revision it makes, with who and why.

/// <summary>An event that puts a new spec in place as a revision.</summary>
public interface IWorkloadRevision
{
    int Revision { get; }
    WorkloadSpec Spec { get; }
}

public sealed record WorkloadDeployed(
    Guid WorkloadId, Guid ServiceMapId, Guid WorkspaceId, Guid ClusterId, string Namespace, string Name, WorkloadKind Kind,
    int Revision, WorkloadSpec Spec, string? Reason, ActorRef DeployedBy, DateTimeOffset DeployedAt) : IWorkloadRevision;

public sealed record WorkloadUpdated(Guid WorkloadId, string Name, int Revision, WorkloadSpec Spec, string? Reason, ActorRef UpdatedBy, DateTimeOffset UpdatedAt)
    : IWorkloadRevision;

public sealed record WorkloadScaled(
    Guid WorkloadId, string Name, int Revision, int? FromReplicas, int? ToReplicas, AutoscalerSpec? Autoscaler, WorkloadSpec Spec,
    string? Reason, ActorRef ScaledBy, DateTimeOffset ScaledAt) : IWorkloadRevision;

public sealed record WorkloadRolledBack(
    Guid WorkloadId, string Name, int Revision, int ToRevision, WorkloadSpec Spec, string? Reason, ActorRef RolledBackBy, DateTimeOffset RolledBackAt) : IWorkloadRevision;

public sealed record WorkloadDeleted(Guid WorkloadId, string Name, int Revision, string? Reason, ActorRef DeletedBy, DateTimeOffset DeletedAt);

public enum RolloutStatus { Pending, Progressing, Available, Stalled, Failed, Complete, Removed }

/// <summary>What the cluster says of the rollout, recorded when it changes (with the cluster's own reason).</summary>
public sealed record WorkloadRolloutChanged(Guid WorkloadId, string Name, RolloutStatus Status, string? Message, DateTimeOffset ObservedAt);

/// <summary>The workload on the cluster no longer matches its spec: someone changed it by hand.</summary>
public sealed record WorkloadDriftDetected(Guid WorkloadId, string Name, IReadOnlyList<string> Findings, DateTimeOffset ObservedAt);

public sealed record WorkloadDriftCleared(Guid WorkloadId, string Name, DateTimeOffset ObservedAt);

/// <summary>What the rollout tracker saw on the cluster for a revision: the rollout and what differs from the spec (drift).</summary>
public sealed record RolloutObservation(int Revision, RolloutStatus Status, string? Message, IReadOnlyList<string> Drift);
