using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Marten;

namespace Cocktail.Application.Pipelines.Deleting;

/// <summary>Deletes a pipeline: its versions stay in its stream (the audit trail), its webhook secret goes at once.</summary>
public sealed record DeletePipeline(Guid PipelineId) : IRequest<Accepted>;

public static class DeletePipelineHandler
{
    public static async Task<Result<Accepted>> Handle(DeletePipeline command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var loaded = await PipelineAccess.LoadAsync(session, actor, command.PipelineId, TenancyAccess.CanDeploy, ct);
        if (loaded.Failure is { } denied) return denied;
        var result = await AggregateStreams.DecideAsync<Pipeline>(session, command.PipelineId, null, p => p.Delete(actor.Ref, clock.GetUtcNow()),
            PipelineAccess.NoSuchPipeline, ct);
        if (result.Succeeded) session.Delete<PipelineWebhookSecret>(command.PipelineId);
        return result;
    }
}
