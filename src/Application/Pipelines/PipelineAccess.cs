using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Pipelines;

/// <summary>Loads a pipeline the caller may see; a stranger is told there is no such pipeline, whatever the id.</summary>
public static class PipelineAccess
{
    public const string NoSuchPipeline = "No such pipeline.";

    public static async Task<Result<(PipelineView Pipeline, WorkspaceView Workspace)>> LoadAsync(IQuerySession session, Actor actor, Guid id,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var pipeline = await session.LoadAsync<PipelineView>(id, ct);
        if (pipeline is null) return Failure.NotFound(NoSuchPipeline);
        var workspace = await TenancyAccess.LoadAsync(session, actor, pipeline.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchPipeline);
        if (workspace.Failure is { } refused) return refused;
        return (pipeline, workspace.Value!);
    }
}
