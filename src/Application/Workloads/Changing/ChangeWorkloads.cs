using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Changing;

/// <summary>Replaces the spec (a new revision); name and kind stay.</summary>
public sealed record UpdateWorkload(Guid WorkloadId, WorkloadSpec? Spec, string? Yaml, string? Reason = null, long? ExpectedRevision = null) : IRequest<Accepted>;

/// <summary>Manual replicas, or an autoscaler (min, max, CPU target) that becomes a HorizontalPodAutoscaler; null autoscaler removes it.</summary>
public sealed record ScaleWorkload(Guid WorkloadId, int? Replicas, AutoscalerSpec? Autoscaler, string? Reason = null) : IRequest<Accepted>;

/// <summary>Restores revision N's spec, as a new revision.</summary>
public sealed record RollBackWorkload(Guid WorkloadId, int Revision, string? Reason = null) : IRequest<Accepted>;

public sealed record DeleteWorkload(Guid WorkloadId, string? Reason = null) : IRequest<Accepted>;

public sealed class ScaleWorkloadValidator : AbstractValidator<ScaleWorkload>
{
    public ScaleWorkloadValidator()
    {
        RuleFor(x => x.Replicas).NotNull().When(x => x.Autoscaler is null).WithMessage("Give replicas or an autoscaler.");
        RuleFor(x => x.Replicas).InclusiveBetween(0, 1000).When(x => x.Replicas is not null).WithMessage("Replicas go from 0 to 1000.");
    }
}

public sealed class RollBackWorkloadValidator : AbstractValidator<RollBackWorkload>
{
    public RollBackWorkloadValidator() => RuleFor(x => x.Revision).GreaterThan(0).WithMessage("Revisions start at 1.");
}

internal static class WorkloadCommands
{
    /// <summary>Loads the workload for a change by a deployer of its service map, decides, checks the resulting spec, appends.</summary>
    public static async Task<Result<Accepted>> ChangeAsync(IDocumentSession session, Actor actor, Guid workloadId, long? expectedRevision,
        Func<Workload, Decision> decide, IMessageContext messages, CancellationToken ct, bool checkSpec = true)
    {
        var view = await session.LoadAsync<WorkloadView>(workloadId, ct);
        if (view is null) return Failure.NotFound("No such workload.");
        var map = await ServiceMapAccess.LoadAsync(session, actor, view.ServiceMapId, TenancyAccess.CanDeploy, ct);
        if (map.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound("No such workload.");
        if (map.Failure is { } denied) return denied;

        var stream = await session.Events.FetchForWriting<Workload>(workloadId, ct);
        if (stream.Aggregate is not { } workload) return Failure.NotFound("No such workload.");
        if (expectedRevision is { } expected && expected != workload.Revision)
            return Failure.Conflict($"The workload is at revision {workload.Revision}, not {expected}. Reload it and try again.");
        var decision = decide(workload);
        if (decision.Error is { } error) return error;
        if (checkSpec && decision.Events.LastOrDefault() is { } last && SpecOf(last) is { } spec &&
            await WorkloadChecks.CheckAsync(session, map.Value!, spec, ct) is { } refused)
            return refused;

        stream.AppendMany(decision.Events.ToArray());
        if (decision.Events.Count > 0)
        {
            if (decision.Events[^1] is WorkloadDeleted)
                await messages.PublishAsync(new RemoveWorkload(workloadId, view.ClusterId, view.Namespace, workload.Current));
            else
                await messages.PublishAsync(new ReconcileWorkload(workloadId));
        }
        return new Accepted(workloadId, workload.Revision + decision.Events.Count);
    }

    private static WorkloadSpec? SpecOf(object e) => e switch
    {
        WorkloadUpdated u => u.Spec,
        WorkloadScaled s => s.Spec,
        WorkloadRolledBack r => r.Spec,
        _ => null,
    };
}

public static class UpdateWorkloadHandler
{
    public static async Task<Result<Accepted>> Handle(UpdateWorkload command, Actor actor, IDocumentSession session, IWorkloadYaml yaml,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var spec = WorkloadChecks.Resolve(command.Spec, command.Yaml, yaml);
        if (spec.Failure is { } unreadable) return unreadable;
        return await WorkloadCommands.ChangeAsync(session, actor, command.WorkloadId, command.ExpectedRevision,
            w => w.Update(spec.Value!, command.Reason, actor.Ref, clock.GetUtcNow()), messages, ct);
    }
}

public static class ScaleWorkloadHandler
{
    public static Task<Result<Accepted>> Handle(ScaleWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        WorkloadCommands.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.Scale(command.Replicas, command.Autoscaler, command.Reason, actor.Ref, clock.GetUtcNow()), messages, ct);
}

public static class RollBackWorkloadHandler
{
    /// <summary>The restored spec must meet today's policy: a revision that now breaks it is not brought back.</summary>
    public static Task<Result<Accepted>> Handle(RollBackWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        WorkloadCommands.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.RollBack(command.Revision, command.Reason, actor.Ref, clock.GetUtcNow()), messages, ct);
}

public static class DeleteWorkloadHandler
{
    public static Task<Result<Accepted>> Handle(DeleteWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        WorkloadCommands.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.Delete(command.Reason, actor.Ref, clock.GetUtcNow()), messages, ct, checkSpec: false);
}

/// <summary>Applies the spec of record again, putting back what was changed on the cluster by hand (drift).</summary>
public sealed record ReapplyWorkload(Guid WorkloadId) : IRequest<Accepted>;

public static class ReapplyWorkloadHandler
{
    public static async Task<Result<Accepted>> Handle(ReapplyWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(command.WorkloadId, ct);
        if (view is null) return Failure.NotFound("No such workload.");
        var map = await ServiceMapAccess.LoadAsync(session, actor, view.ServiceMapId, TenancyAccess.CanDeploy, ct);
        if (map.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound("No such workload.");
        if (map.Failure is { } denied) return denied;
        await messages.PublishAsync(new ReconcileWorkload(view.Id));
        return new Accepted(view.Id, view.Revision);
    }
}
