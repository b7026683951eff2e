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
}
