using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

public static class RollBackDeployedWorkloadHandler
{
    /// <summary>
    /// Puts the workload back on the revision it ran before the failed deploy, through the workloads' own rollback (a
    /// new revision, reconciled as any other, checked against today's policy). What happened goes into the step's log.
    /// </summary>
    public static async Task Handle(RollBackDeployedWorkload command, IDocumentSession session, IMessageContext messages, ImageVerdicts images,
        TimeProvider clock, CancellationToken ct)
    {
        var run = await session.Events.FetchLatest<PipelineRun>(command.RunId, ct);
        if (run is null) return;
        var deployed = run.StepOf(command.Stage).Deployed.FirstOrDefault(w => w.WorkloadId == command.WorkloadId);
        if (deployed is null) return;
        var by = PipelineActors.For(run.PipelineId, run.PipelineName);
        var now = clock.GetUtcNow();
        var reason = $"pipeline {run.PipelineName} run #{run.Number} stage {command.Stage} failed: {command.Reason}";
        if (reason.Length > 1000) reason = reason[..999] + "…";
        string line;
        var rolledBack = await WorkloadChanges.ChangeAsPipelineAsync(session, run.WorkspaceId, command.WorkloadId, w =>
        {
            // Someone changed the workload since the deploy: their revision is not ours to undo.
            if (w.Revision != deployed.Revision)
                return DomainError.Conflict($"it is at revision {w.Revision} now, changed since the deploy's revision {deployed.Revision}");
            return w.RollBack(command.ToRevision, reason, by, now);
        }, messages, images, clock, ct);
        line = rolledBack.Failure is { } failure
            ? $"{deployed.Workload} ({deployed.ServiceMapName}) was not rolled back: {RunDeployStepHandler.Describe(failure)}"
            : $"{deployed.Workload} ({deployed.ServiceMapName}) rolled back to revision {command.ToRevision}'s spec, as revision {rolledBack.Value!.Version}.";
        await PipelineRunDecisions.DecideAsync(session, run.Id, r => r.Log(command.Stage, [line], now), messages, ct);
    }
}
