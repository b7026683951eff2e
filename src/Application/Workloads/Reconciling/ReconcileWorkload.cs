using Cocktail.Application.Common;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Reconciling;

/// <summary>Apply a workload's current revision to its cluster (server-side apply), after the change committed.</summary>
public sealed record ReconcileWorkload(Guid WorkloadId, int Attempt = 0, int NamespaceWaits = 0);

/// <summary>Remove a deleted workload's objects; carries what is needed, since the workload's view is gone.</summary>
public sealed record RemoveWorkload(Guid WorkloadId, Guid ClusterId, string Namespace, WorkloadSpec Spec, int Attempt = 0);

/// <summary>What the rollout tracker saw on the cluster for a revision; only changes become events.</summary>
public sealed record WorkloadObservation(Guid WorkloadId, int Revision, RolloutStatus Status, string? Message, IReadOnlyList<string> Drift)
{
    public RolloutObservation ToRollout() => new(Revision, Status, Message, Drift);
}

public static class ReconcileWorkloadHandler
{
    private const int MaxNamespaceWaits = 60;
    private static readonly TimeSpan NamespaceWait = TimeSpan.FromSeconds(1);

    public static async Task Handle(ReconcileWorkload command, IDocumentSession session, IWorkloadApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        // One apply of a workload at a time across replicas, committed before the next reads: an older revision must
        // not land on the cluster after a newer one.
        await using var turn = await turns.TakeAsync("workload", command.WorkloadId, ct);
        await ApplyAsync(command, session, applier, vault, messages, clock, ct);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Loads the workload, applies its current revision, hands the cluster's answer to the workload's decision, appends.</summary>
    private static async Task ApplyAsync(ReconcileWorkload command, IDocumentSession session, IWorkloadApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var workload = await session.Events.FetchLatest<Workload>(command.WorkloadId, ct);
        if (workload is null || workload.Deleted) return;
        var credential = await session.LoadAsync<ClusterCredential>(workload.ClusterId, ct);
        if (credential is null) return;
        var manifest = new WorkloadManifest(workload.Id, workload.Namespace, workload.Revision, workload.Current);
        var outcome = await applier.ApplyAsync(vault.Unprotect(credential.Protected), manifest, ct);
        if (outcome.Result == ApplyResult.Refused && command.NamespaceWaits < MaxNamespaceWaits &&
            await session.LoadAsync<ServiceMaps.ServiceMapView>(workload.ServiceMapId, ct) is { Status: Domain.Tenancy.ServiceMapStatus.Pending })
        {
            // Deployed right after its service map was created: the namespace (or its quota) is still being applied.
            // The refusal says nothing about the workload yet, so it is not recorded; the map's first apply is awaited.
            await messages.ScheduleAsync(command with { NamespaceWaits = command.NamespaceWaits + 1 }, NamespaceWait);
            return;
        }
        var decision = workload.RecordApply(outcome, clock.GetUtcNow());
        if (decision.Events.Count > 0) session.Events.Append(workload.Id, decision.Events.ToArray());
        await WorkloadRolloutObserved.PublishAsync(workload, decision, messages);
        if (outcome.Result == ApplyResult.Unreachable)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
    }
}

public static class RemoveWorkloadHandler
{
    public static async Task Handle(RemoveWorkload command, IQuerySession session, IWorkloadApplier applier, ICredentialVault vault,
        IMessageContext messages, CancellationToken ct)
    {
        var credential = await session.LoadAsync<ClusterCredential>(command.ClusterId, ct);
        if (credential is null) return;
        var outcome = await applier.RemoveAsync(vault.Unprotect(credential.Protected), new WorkloadManifest(command.WorkloadId, command.Namespace, 0, command.Spec), ct);
        if (outcome.Result == ApplyResult.Unreachable)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
    }
}

/// <summary>Every observation of one tracker pass over a cluster, recorded in one transaction.</summary>
public sealed record RecordWorkloadObservations(IReadOnlyList<WorkloadObservation> Observations);

public static class RecordWorkloadObservationsHandler
{
    /// <summary>Loads the observed workloads in one round trip, hands each its observation, appends what each decides.</summary>
    public static async Task Handle(RecordWorkloadObservations command, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var loads = command.Observations.Select(o => o.WorkloadId).Distinct().ToDictionary(id => id, id => batch.Events.FetchLatest<Workload>(id));
        await batch.Execute(ct);
        var now = clock.GetUtcNow();
        foreach (var observation in command.Observations)
        {
            // A workload deleted meanwhile: nothing to record.
            if (await loads[observation.WorkloadId] is not { } workload) continue;
            var decision = workload.Observe(observation.ToRollout(), now);
            if (decision.Events.Count > 0) session.Events.Append(workload.Id, decision.Events.ToArray());
            await WorkloadRolloutObserved.PublishAsync(workload, decision, messages);
        }
    }
}
