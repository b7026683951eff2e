using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Pipelines.Runs;

/// <summary>Pipelines and runs through their workspace: strangers are told they do not exist.</summary>
public static class PipelineRunAccess
{
    public const string NoSuchPipeline = "No such pipeline.";
    public const string NoSuchRun = "No such pipeline run.";

    public static async Task<Result<PipelineView>> PipelineAsync(IQuerySession session, Actor actor, Guid id,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var pipeline = await session.LoadAsync<PipelineView>(id, ct);
        if (pipeline is null) return Failure.NotFound(NoSuchPipeline);
        var workspace = await TenancyAccess.LoadAsync(session, actor, pipeline.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchPipeline);
        return workspace.Failure is { } refused ? refused : pipeline;
    }

    /// <summary>The run and its workspace (approvals check the caller's role there).</summary>
    public static async Task<Result<(PipelineRunView Run, WorkspaceView Workspace)>> RunAsync(IQuerySession session, Actor actor, Guid id,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var run = await session.LoadAsync<PipelineRunView>(id, ct);
        if (run is null) return Failure.NotFound(NoSuchRun);
        var workspace = await TenancyAccess.LoadAsync(session, actor, run.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchRun);
        return workspace.Failure is { } refused ? refused : (run, workspace.Value!);
    }
}
