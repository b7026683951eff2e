using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Pipelines.Runs;

/// <summary>A pipeline's runs, newest first.</summary>
public sealed record ListPipelineRuns(Guid PipelineId, int Page = 1, int PageSize = 50) : IRequest<Page<PipelineRunView>>;

/// <summary>One run: its steps with their logs, and its timeline.</summary>
public sealed record GetPipelineRun(Guid RunId) : IRequest<PipelineRunView>;

/// <summary>Every run of a workspace's pipelines, newest first.</summary>
public sealed record ListWorkspaceRuns(Guid WorkspaceId, int Page = 1, int PageSize = 50) : IRequest<Page<PipelineRunView>>;

public static class PipelineRunQueriesHandler
{
    public static async Task<Result<Page<PipelineRunView>>> Handle(ListPipelineRuns query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var pipeline = await PipelineRunAccess.PipelineAsync(session, actor, query.PipelineId, null, ct);
        if (pipeline.Failure is { } denied) return denied;
        return await Paging.ToPageAsync(session.Query<PipelineRunView>().Where(r => r.PipelineId == query.PipelineId).OrderByDescending(r => r.Number),
            query.Page, query.PageSize, ct);
    }

    public static async Task<Result<PipelineRunView>> Handle(GetPipelineRun query, Actor actor, IQuerySession session, CancellationToken ct) =>
        (await PipelineRunAccess.RunAsync(session, actor, query.RunId, null, ct)).Map(r => r.Run);

    public static async Task<Result<Page<PipelineRunView>>> Handle(ListWorkspaceRuns query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        return await Paging.ToPageAsync(session.Query<PipelineRunView>().Where(r => r.WorkspaceId == query.WorkspaceId).OrderByDescending(r => r.QueuedAt),
            query.Page, query.PageSize, ct);
    }
}
