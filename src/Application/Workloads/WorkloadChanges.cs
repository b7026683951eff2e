using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads;

/// <summary>The write side shared by the use cases that change a workload (updating, scaling, rolling back, deleting).</summary>
internal static class WorkloadChanges
{
    /// <summary>
    /// Loads the workload for a change by a deployer of its service map, decides, checks the spec the decision puts in
    /// place against the service map's policy and quota, appends, and sends <paramref name="then"/> (the reconciler's
    /// message, which each use case names) once there is something to make the cluster match.
    /// </summary>
    public static async Task<Result<Accepted>> ChangeAsync(IDocumentSession session, Actor actor, Guid workloadId, long? expectedRevision,
        Func<Workload, Decision> decide, Func<Workload, object> then, IMessageContext messages, ImageScanning.Gating.ImageVerdicts images,
        TimeProvider clock, CancellationToken ct)
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
        if (Workload.SpecAfter(decision) is { } spec && await WorkloadChecks.CheckAsync(session, map.Value!, spec, workload.Current, images, clock, ct) is { } refused)
            return refused;

        stream.AppendMany(decision.Events.ToArray());
        if (decision.Events.Count > 0) await messages.PublishAsync(then(workload));
        return new Accepted(workloadId, workload.Revision + decision.Events.Count);
    }

    /// <summary>
    /// A pipeline's change of a workload of its workspace: no caller role to check (the pipeline's author and the run's
    /// approver were checked), but every check of the spec a person's change meets (rules, policy, quota, image gate).
    /// Nothing is appended: the caller appends the prepared changes once all of them passed.
    /// </summary>
    public static async Task<Result<PreparedWorkloadChange>> PrepareAsPipelineAsync(IDocumentSession session, Guid workspaceId, Guid workloadId,
        Func<Workload, Decision> decide, ImageScanning.Gating.ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(workloadId, ct);
        if (view is null) return Failure.NotFound("No such workload.");
        var map = await session.LoadAsync<ServiceMaps.ServiceMapView>(view.ServiceMapId, ct);
        if (map is null || map.WorkspaceId != workspaceId)
            return Failure.Forbidden($"The service map of workload {view.Name} no longer belongs to the pipeline's workspace.");
        var stream = await session.Events.FetchForWriting<Workload>(workloadId, ct);
        if (stream.Aggregate is not { } workload) return Failure.NotFound("No such workload.");
        var decision = decide(workload);
        if (decision.Error is { } error) return error;
        if (Workload.SpecAfter(decision) is { } spec && await WorkloadChecks.CheckAsync(session, map, spec, workload.Current, images, clock, ct) is { } refused)
            return refused;
        return new PreparedWorkloadChange(stream, workload, decision);
    }

    /// <summary>Prepares, then appends and sends the reconciler's message: a pipeline's change of one workload (a rollback).</summary>
    public static async Task<Result<Accepted>> ChangeAsPipelineAsync(IDocumentSession session, Guid workspaceId, Guid workloadId,
        Func<Workload, Decision> decide, IMessageContext messages, ImageScanning.Gating.ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        var prepared = await PrepareAsPipelineAsync(session, workspaceId, workloadId, decide, images, clock, ct);
        if (prepared.Failure is { } failure) return failure;
        await prepared.Value!.AppendAsync(messages);
        return new Accepted(workloadId, prepared.Value.Revision);
    }
}

/// <summary>A decided and checked change of a workload, not yet appended.</summary>
public sealed record PreparedWorkloadChange(JasperFx.Events.IEventStream<Workload> Stream, Workload Before, Decision Decision)
{
    /// <summary>The revision the workload is at after the change (the one before when the change decided nothing).</summary>
    public int Revision => Decision.Events.OfType<IWorkloadRevision>().LastOrDefault()?.Revision ?? Before.Revision;

    public async Task AppendAsync(IMessageContext messages)
    {
        if (Decision.Events.Count == 0) return;
        Stream.AppendMany(Decision.Events.ToArray());
        await messages.PublishAsync(new Reconciling.ReconcileWorkload(Before.Id));
    }
}
