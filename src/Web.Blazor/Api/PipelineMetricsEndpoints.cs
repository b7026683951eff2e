using Cocktail.Application.Common;
using Cocktail.Application.Pipelines.Delivery;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>"What is deployed now" per pipeline environment, and the workspace's delivery metrics (the four DORA keys); members read.</summary>
public static class PipelineMetricsEndpoints
{
    /// <summary>Each stage of the pipeline that has deployed: image (digest, tag), commit, run, approver, when, and the workloads it set.</summary>
    [WolverineGet("/api/v1/pipelines/{id}/environments"), Tags("Pipelines")]
    [ProducesResponseType<IReadOnlyList<PipelineEnvironmentView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> PipelineEnvironments(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListPipelineEnvironments(id), http.ToCaller(), ct));

    /// <summary>Every pipeline's environments in the workspace, by pipeline name then stage order.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/environments"), Tags("Pipelines")]
    [ProducesResponseType<IReadOnlyList<PipelineEnvironmentView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> WorkspaceEnvironments(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkspaceEnvironments(id), http.ToCaller(), ct));

    /// <summary>
    /// Deployment frequency, lead time for changes, change failure rate and time to restore of production deploys over the
    /// last <c>days</c> UTC days (30 unless given, 1 to 365), overall and per day; <c>pipeline</c> narrows them to one pipeline.
    /// </summary>
    [WolverineGet("/api/v1/workspaces/{id}/delivery-metrics"), Tags("Pipelines")]
    [ProducesResponseType<DeliveryMetricsView>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> DeliveryMetrics(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] int? days,
        [FromQuery] Guid? pipeline) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetDeliveryMetrics(id, days ?? 30, pipeline), http.ToCaller(), ct));
}
