using System.Collections.Immutable;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Workloads;

/// <summary>
/// A workload and every revision of its spec, so that a rollback restores exactly what was deployed; and what the
/// cluster last said of the current revision (rollout, drift), decided here from what the reconciler and the rollout
/// tracker observed.
/// </summary>
public sealed record Workload(
    Guid Id, Guid ServiceMapId, string Name, WorkloadKind Kind, int Revision, ImmutableDictionary<int, WorkloadSpec> Revisions, bool Deleted)
{
    public WorkloadSpec Current => Revisions[Revision];

    public Guid ClusterId { get; init; }
    public string Namespace { get; init; } = "";
    public RolloutStatus Rollout { get; init; } = RolloutStatus.Pending;
    public string? RolloutMessage { get; init; }
    public IReadOnlyList<string> Drift { get; init; } = [];

    public static Decision Deploy(Guid id, Guid serviceMapId, Guid workspaceId, Guid clusterId, string ns, WorkloadSpec spec, string? reason,
        ActorRef by, DateTimeOffset at) =>
        Decision.Accept(new WorkloadDeployed(id, serviceMapId, workspaceId, clusterId, ns, spec.Name, spec.Kind, 1, spec, reason, by, at));

    public Decision Update(WorkloadSpec spec, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (spec.Name != Name) return DomainError.Invalid("A workload's name cannot change; deploy a new one.", "name");
        if (spec.Kind != Kind) return DomainError.Invalid("A workload's kind cannot change; deploy a new one.", "kind");
        return spec.SameAs(Current) ? Decision.Nothing : Decision.Accept(new WorkloadUpdated(Id, Name, Revision + 1, spec, reason, by, at));
    }

    public Decision Scale(int? replicas, AutoscalerSpec? autoscaler, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (!Current.Scalable) return DomainError.Invalid($"A {Kind} does not scale by replicas.", "replicas");
        var spec = Current with { Replicas = replicas ?? Current.Replicas, Autoscaler = autoscaler };
        if (spec.SameAs(Current)) return Decision.Nothing;
        return Decision.Accept(new WorkloadScaled(Id, Name, Revision + 1, Current.Replicas, spec.Replicas, autoscaler, spec, reason, by, at));
    }

    public Decision RollBack(int toRevision, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (!Revisions.TryGetValue(toRevision, out var spec))
            return DomainError.Invalid($"There is no revision {toRevision}; revisions go from 1 to {Revision}.", "revision");
        if (toRevision == Revision) return DomainError.Invalid($"Revision {toRevision} is the current one.", "revision");
        if (spec.SameAs(Current)) return DomainError.Invalid($"Revision {toRevision} has the same spec as the current revision {Revision}; nothing to roll back.", "revision");
        return Decision.Accept(new WorkloadRolledBack(Id, Name, Revision + 1, toRevision, spec, reason, by, at));
    }

    public Decision Delete(string? reason, ActorRef by, DateTimeOffset at) =>
        Deleted ? Decision.Nothing : Decision.Accept(new WorkloadDeleted(Id, Name, Revision + 1, reason, by, at));

    /// <summary>The spec a decision puts in place (null when it makes no new revision with a spec, as a deletion).</summary>
    public static WorkloadSpec? SpecAfter(Decision decision) => decision.Events.OfType<IWorkloadRevision>().LastOrDefault()?.Spec;

    /// <summary>
    /// The cluster's answer to applying the current revision: a refusal is a failed rollout, recorded again only when
    /// the cluster's reason changed. Applied or unreachable says nothing of the rollout (the tracker observes it).
    /// </summary>
    public Decision RecordApply(ClusterOutcome outcome, DateTimeOffset at) =>
        !Deleted && outcome.Answer == ClusterAnswer.Refused && (Rollout != RolloutStatus.Failed || RolloutMessage != outcome.Message)
            ? Decision.Accept(new WorkloadRolloutChanged(Id, Name, RolloutStatus.Failed, outcome.Message, at))
            : Decision.Nothing;

    /// <summary>
    /// What the rollout tracker saw on the cluster. Only changes are events; an observation of another revision (a
    /// newer one deployed meanwhile) or of a deleted workload is about the past and changes nothing.
    /// </summary>
    public Decision Observe(RolloutObservation observed, DateTimeOffset at)
    {
        if (Deleted || observed.Revision != Revision) return Decision.Nothing;
        var events = new List<object>(2);
        if (observed.Status != Rollout || observed.Message != RolloutMessage)
            events.Add(new WorkloadRolloutChanged(Id, Name, observed.Status, observed.Message, at));
        if (!observed.Drift.SequenceEqual(Drift))
            events.Add(observed.Drift.Count == 0 ? new WorkloadDriftCleared(Id, Name, at) : new WorkloadDriftDetected(Id, Name, observed.Drift, at));
        return Decision.Accept([.. events]);
    }

    private DomainError Gone() => DomainError.NotFound("The workload was deleted.");

    public static Workload Create(WorkloadDeployed e) =>
        new(e.WorkloadId, e.ServiceMapId, e.Name, e.Kind, 1, ImmutableDictionary<int, WorkloadSpec>.Empty.Add(1, e.Spec), false)
        {
            ClusterId = e.ClusterId, Namespace = e.Namespace,
        };

    public Workload Apply(WorkloadUpdated e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadScaled e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadRolledBack e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadDeleted e) => this with { Deleted = true, Revision = e.Revision, Revisions = Revisions.Add(e.Revision, Current) };

    public Workload Apply(WorkloadRolloutChanged e) => this with { Rollout = e.Status, RolloutMessage = e.Message };
    public Workload Apply(WorkloadDriftDetected e) => this with { Drift = e.Findings };
    public Workload Apply(WorkloadDriftCleared _) => this with { Drift = [] };

    /// <summary>A new revision is Pending until the tracker sees it on the cluster; drift stays until it is observed again.</summary>
    private Workload Next(int revision, WorkloadSpec spec) =>
        this with { Revision = revision, Revisions = Revisions.Add(revision, spec), Rollout = RolloutStatus.Pending, RolloutMessage = null };
}
