using Cocktail.Application.Common;
using Cocktail.Application.Pipelines;
using Cocktail.Application.Pipelines.Approving;
using Cocktail.Application.Pipelines.Cancelling;
using Cocktail.Application.Pipelines.Rerunning;
using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Pipelines.Runs;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>A manual run: a registry-sourced pipeline's tag, or a git-sourced pipeline's ref and commit.</summary>
public sealed record RunPipelineBody(string? Ref, string? Commit, string? Tag);
public sealed record CancelPipelineRunBody(string? Reason);
public sealed record ApproveStageBody(string? Comment);
public sealed record RejectStageBody(string? Reason);

public static class PipelineRunsEndpoints
{
    /// <summary>Queues a run; 202 with the run, which starts at once when the pipeline's concurrency allows.</summary>
    [WolverinePost("/api/v1/pipelines/{id}/runs"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(202), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Run(Guid id, RunPipelineBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Queued(await dispatcher.SendAsync(new RunPipeline(id, body?.Ref, body?.Commit, body?.Tag), http.ToCaller(), ct), http, dispatcher, ct);

    [WolverineGet("/api/v1/pipelines/{id}/runs"), Tags("Pipelines")]
    [ProducesResponseType<Page<PipelineRunView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListRuns(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListPipelineRuns(id, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workspaces/{id}/pipeline-runs"), Tags("Pipelines")]
    [ProducesResponseType<Page<PipelineRunView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListWorkspaceRuns(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkspaceRuns(id, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/pipeline-runs/{id}"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetRun(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetPipelineRun(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/pipeline-runs/{id}/cancel"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(200), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Cancel(Guid id, CancelPipelineRunBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Changed(id, await dispatcher.SendAsync(new CancelPipelineRun(id, body?.Reason), http.ToCaller(), ct), http, dispatcher, ct);

    /// <summary>Runs the pipeline again with the run's commit or image: 202 with the new run.</summary>
    [WolverinePost("/api/v1/pipeline-runs/{id}/rerun"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(202), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Rerun(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Queued(await dispatcher.SendAsync(new RerunPipelineRun(id), http.ToCaller(), ct), http, dispatcher, ct);

    [WolverinePost("/api/v1/pipeline-runs/{id}/stages/{stage}/approve"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Approve(Guid id, string stage, ApproveStageBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Changed(id, await dispatcher.SendAsync(new ApprovePipelineStage(id, stage, body?.Comment), http.ToCaller(), ct), http, dispatcher, ct);

    [WolverinePost("/api/v1/pipeline-runs/{id}/stages/{stage}/reject"), Tags("Pipelines")]
    [ProducesResponseType<PipelineRunView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Reject(Guid id, string stage, RejectStageBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Changed(id, await dispatcher.SendAsync(new RejectPipelineStage(id, stage, body?.Reason), http.ToCaller(), ct), http, dispatcher, ct);

    /// <summary>The caller's approvals inbox: stages waiting for an approval the caller may give.</summary>
    [WolverineGet("/api/v1/approvals"), Tags("Pipelines")]
    [ProducesResponseType<IReadOnlyList<PendingApproval>>(200)]
    public static async Task<IResult> Approvals(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListPendingApprovals(), http.ToCaller(), ct));

    private static async Task<IResult> Queued(Result<Accepted> queued, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (!queued.Succeeded) return ApiResults.Problem(queued.Failure!);
        var run = await dispatcher.SendAsync(new GetPipelineRun(queued.Value!.Id), http.ToCaller(), ct);
        return Results.Accepted($"/api/v1/pipeline-runs/{queued.Value.Id}", run.Value);
    }

    private static async Task<IResult> Changed(Guid id, Result<Accepted> changed, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetPipelineRun(id), http.ToCaller(), ct));
    }
}
