using Cocktail.Application.Common;
using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Pipelines.Runs;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Rerunning;

/// <summary>Runs the pipeline (as it is now) again with a run's commit or image: a new run, which says which one it repeats.</summary>
public sealed record RerunPipelineRun(Guid RunId) : IRequest<Accepted>;

public static class RerunPipelineRunHandler
{
    public static async Task<Result<Accepted>> Handle(RerunPipelineRun command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        var found = await PipelineRunAccess.RunAsync(session, actor, command.RunId, TenancyAccess.CanDeploy, ct);
        if (found.Failure is { } denied) return denied;
        var run = found.Value.Run;
        // The image the run was given (not one a build step of it made: a re-run builds again).
        var queued = (await session.Events.FetchStreamAsync(run.Id, token: ct)).Select(e => e.Data).OfType<PipelineRunQueued>().Single();
        var trigger = queued.Trigger with { Kind = TriggerKind.Rerun, Detail = $"#{run.Number}" };
        await using var turn = await turns.TakeAsync(PipelineRuns.Turn, run.PipelineId, ct);
        var result = await PipelineRuns.QueueAsync(new QueuePipelineRun(run.PipelineId, trigger, queued.Artifact, actor.Ref, run.Id), session, messages, clock, ct);
        if (result.Succeeded) await session.SaveChangesAsync(ct);
        return result;
    }
}
