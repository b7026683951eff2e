using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Workloads.Reconciling;

/// <summary>Apply a workload's current revision to its cluster (server-side apply), after the change committed.</summary>
public sealed record ReconcileWorkload(Guid WorkloadId);

/// <summary>Remove a deleted workload's objects; carries what is needed, since the workload's view is gone.</summary>
public sealed record RemoveWorkload(Guid WorkloadId, Guid ClusterId, string Namespace, WorkloadSpec Spec);

/// <summary>What the rollout tracker saw on the cluster for a revision; only changes become events.</summary>
public sealed record RecordWorkloadObservation(Guid WorkloadId, int Revision, RolloutStatus Status, string? Message, IReadOnlyList<string> Drift);

public static class ReconcileWorkloadHandler
{
    private static readonly TimeSpan UnreachableRetry = TimeSpan.FromSeconds(10);

    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task Handle(ReconcileWorkload command, IDocumentSession session, IWorkloadApplier applier, ICredentialVault vault,
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
                await messages.ScheduleAsync(command, UnreachableRetry);
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
        if (outcome.Result == ApplyResult.Unreachable) await messages.ScheduleAsync(command, TimeSpan.FromSeconds(10));
    }
}

public static class RecordWorkloadObservationHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task Handle(RecordWorkloadObservation command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(command.WorkloadId, ct);
        if (view is null || view.Revision != command.Revision) return; // a newer revision was deployed meanwhile
        var now = clock.GetUtcNow();
        if (view.Rollout != command.Status || view.RolloutMessage != command.Message)
            session.Events.Append(view.Id, new WorkloadRolloutChanged(view.Id, view.Name, command.Status, command.Message, now));
        if (!view.Drift.SequenceEqual(command.Drift))
            session.Events.Append(view.Id, command.Drift.Count == 0
                ? new WorkloadDriftCleared(view.Id, view.Name, now)
                : new WorkloadDriftDetected(view.Id, view.Name, command.Drift, now));
    }
}
