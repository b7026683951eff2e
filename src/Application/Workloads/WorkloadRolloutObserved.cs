using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;
using Wolverine;

namespace Cocktail.Application.Workloads;

/// <summary>
/// A workload's current revision changed its rollout status (the tracker saw it, or the cluster refused the apply), for
/// whoever waits on that revision (a pipeline run's deploy step). Sent in the transaction that records the change.
/// </summary>
public sealed record WorkloadRolloutObserved(Guid WorkloadId, int Revision, RolloutStatus Status, string? Message)
{
    public static async Task PublishAsync(Workload workload, Decision decision, IMessageContext messages)
    {
        foreach (var changed in decision.Events.OfType<WorkloadRolloutChanged>())
            await messages.PublishAsync(new WorkloadRolloutObserved(workload.Id, workload.Revision, changed.Status, changed.Message));
    }
}
