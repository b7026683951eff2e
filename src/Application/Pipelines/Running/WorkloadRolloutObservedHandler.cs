using Cocktail.Application.Workloads;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

public static class WorkloadRolloutObservedHandler
{
    /// <summary>The runs whose deploy step waits on the workload (one indexed query) hear what its rollout did.</summary>
    public static async Task Handle(WorkloadRolloutObserved observed, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var runs = await session.Query<PipelineRunView>().Where(r => r.WaitingWorkloads.Contains(observed.WorkloadId)).Select(r => r.Id).ToListAsync(ct);
        foreach (var id in runs)
            await PipelineRunDecisions.DecideAsync(session, id,
                r => r.RolloutObserved(observed.WorkloadId, observed.Revision, observed.Status, observed.Message, clock.GetUtcNow()), messages, ct);
    }
}
