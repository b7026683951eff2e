using System.Collections.Immutable;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Workloads;

/// <summary>A workload and every revision of its spec, so that a rollback restores exactly what was deployed.</summary>
public sealed record Workload(
    Guid Id, Guid ServiceMapId, string Name, WorkloadKind Kind, int Revision, ImmutableDictionary<int, WorkloadSpec> Revisions, bool Deleted)
{
    public WorkloadSpec Current => Revisions[Revision];

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

    private DomainError Gone() => DomainError.NotFound("The workload was deleted.");

    public static Workload Create(WorkloadDeployed e) =>
        new(e.WorkloadId, e.ServiceMapId, e.Name, e.Kind, 1, ImmutableDictionary<int, WorkloadSpec>.Empty.Add(1, e.Spec), false);

    public Workload Apply(WorkloadUpdated e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadScaled e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadRolledBack e) => Next(e.Revision, e.Spec);
    public Workload Apply(WorkloadDeleted e) => this with { Deleted = true, Revision = e.Revision, Revisions = Revisions.Add(e.Revision, Current) };

    private Workload Next(int revision, WorkloadSpec spec) => this with { Revision = revision, Revisions = Revisions.Add(revision, spec) };
}
