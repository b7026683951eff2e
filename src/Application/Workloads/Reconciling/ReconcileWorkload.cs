using Cocktail.Application.Common;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Workloads.Reconciling;

/// <summary>Apply a workload's current revision to its cluster (server-side apply), after the change committed.</summary>
public sealed record ReconcileWorkload(Guid WorkloadId, int Attempt = 0);

/// <summary>Remove a deleted workload's objects; carries what is needed, since the workload's view is gone.</summary>
public sealed record RemoveWorkload(Guid WorkloadId, Guid ClusterId, string Namespace, WorkloadSpec Spec, int Attempt = 0);

/// <summary>What the rollout tracker saw on the cluster for a revision; only changes become events.</summary>
public sealed record WorkloadObservation(Guid WorkloadId, int Revision, RolloutStatus Status, string? Message, IReadOnlyList<string> Drift);

public static class ReconcileWorkloadHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task Handle(ReconcileWorkload command, IDocumentSession session, IWorkloadApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        // One apply of a workload at a time across replicas, committed before the next reads: an older revision must
        // not land on the cluster after a newer one.
        await using var turn = await turns.TakeAsync("workload", command.WorkloadId, ct);
        await ApplyAsync(command, session, applier, vault, messages, clock, ct);
        await session.SaveChangesAsync(ct);
    }

    private static async Task ApplyAsync(ReconcileWorkload command, IDocumentSession session, IWorkloadApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(command.WorkloadId, ct);
        var credential = view is null ? null : await session.LoadAsync<ClusterCredential>(view.ClusterId, ct);
        if (view is null || credential is null) return;
        var outcome = await applier.ApplyAsync(vault.Unprotect(credential.Protected), new WorkloadManifest(view.Id, view.Namespace, view.Revision, view.Spec), ct);
        switch (outcome.Result)
        {
            case ApplyResult.Refused when view.Rollout != RolloutStatus.Failed || view.RolloutMessage != outcome.Message:
                session.Events.Append(view.Id, new WorkloadRolloutChanged(view.Id, view.Name, RolloutStatus.Failed, outcome.Message, clock.GetUtcNow()));
                break;
            case ApplyResult.Unreachable:
                await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, Backoff.After(command.Attempt));
                break;
        }
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
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, Backoff.After(command.Attempt));
    }
}

/// <summary>Every observation of one tracker pass over a cluster, recorded in one transaction.</summary>
public sealed record RecordWorkloadObservations(IReadOnlyList<WorkloadObservation> Observations);

public static class RecordWorkloadObservationsHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task Handle(RecordWorkloadObservations command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var views = (await session.LoadManyAsync<WorkloadView>(ct, command.Observations.Select(o => o.WorkloadId).Distinct())).ToDictionary(v => v.Id);
        var now = clock.GetUtcNow();
        foreach (var observation in command.Observations)
        {
            // A newer revision deployed meanwhile, or the workload deleted: this observation is about the past.
            if (!views.TryGetValue(observation.WorkloadId, out var view) || view.Revision != observation.Revision) continue;
            if (view.Rollout != observation.Status || view.RolloutMessage != observation.Message)
                session.Events.Append(view.Id, new WorkloadRolloutChanged(view.Id, view.Name, observation.Status, observation.Message, now));
            if (!view.Drift.SequenceEqual(observation.Drift))
                session.Events.Append(view.Id, observation.Drift.Count == 0
                    ? new WorkloadDriftCleared(view.Id, view.Name, now)
                    : new WorkloadDriftDetected(view.Id, view.Name, observation.Drift, now));
        }
    }
}
