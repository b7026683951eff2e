using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Common;
using Cocktail.Application.Pipelines;
using Cocktail.Application.Pipelines.Changing;
using Cocktail.Application.Pipelines.Defining;
using Cocktail.Application.Pipelines.Deleting;
using Cocktail.Application.Pipelines.Listing;
using Cocktail.Application.Pipelines.RotatingWebhookSecret;
using Cocktail.Domain.Pipelines;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>A pipeline as the API takes it: its definition (ids for service maps and build definitions) or its YAML (names).</summary>
public sealed record PipelineBody(PipelineDefinition? Definition, string? Yaml, string? Reason, long? ExpectedVersion);

/// <summary>A new version as YAML; <c>expectedVersion</c> is the version the YAML was read at.</summary>
public sealed record PipelineYamlBody(string? Yaml, string? Reason, long? ExpectedVersion);

public static class PipelinesEndpoints
{
    /// <summary>
    /// 201 with the pipeline; with a git push trigger, also <c>webhook</c>: the path to give the provider and its
    /// secret, shown this once.
    /// </summary>
    [WolverinePost("/api/v1/workspaces/{id}/pipelines"), Tags("Pipelines")]
    [ProducesResponseType<PipelineView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Create(Guid id, PipelineBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var created = await dispatcher.SendAsync(new CreatePipeline(id, body.Definition, body.Yaml), caller, ct);
        if (!created.Succeeded) return ApiResults.Problem(created.Failure!);
        var pipeline = await dispatcher.SendAsync(new GetPipeline(created.Value!.Id), caller, ct);
        if (!pipeline.Succeeded) return ApiResults.Problem(pipeline.Failure!);
        var location = $"/api/v1/pipelines/{created.Value.Id}";
        if (created.Value.Webhook is not { } webhook) return Results.Created(location, pipeline.Value);
        var json = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var answer = JsonSerializer.SerializeToNode(pipeline.Value, json)!.AsObject();
        answer["webhook"] = JsonSerializer.SerializeToNode(webhook, json);
        return Results.Json(answer, json, statusCode: StatusCodes.Status201Created, contentType: "application/json");
    }

    [WolverineGet("/api/v1/workspaces/{id}/pipelines"), Tags("Pipelines")]
    [ProducesResponseType<Page<PipelineListItem>>(200), ProducesResponseType(404)]
    public static async Task<IResult> List(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListPipelines(id, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/pipelines/{id}"), Tags("Pipelines")]
    [ProducesResponseType<PipelineView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetPipeline(id), http.ToCaller(), ct));

    /// <summary>A new version from the definition or its YAML; the same definition again is 200 with no new version.</summary>
    [WolverinePut("/api/v1/pipelines/{id}"), Tags("Pipelines")]
    [ProducesResponseType<PipelineView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Change(Guid id, PipelineBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return await Changed(await dispatcher.SendAsync(new ChangePipeline(id, body.Definition, body.Yaml, body.Reason, body.ExpectedVersion), http.ToCaller(), ct),
            id, http, dispatcher, ct);
    }

    [WolverineDelete("/api/v1/pipelines/{id}"), Tags("Pipelines")]
    [ProducesResponseType(204), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Delete(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var deleted = await dispatcher.SendAsync(new DeletePipeline(id), http.ToCaller(), ct);
        return deleted.Succeeded ? Results.NoContent() : ApiResults.Problem(deleted.Failure!);
    }

    /// <summary>The definition as YAML (service maps and build definitions by name); its version is in the ETag.</summary>
    [WolverineGet("/api/v1/pipelines/{id}/yaml"), Tags("Pipelines")]
    [ProducesResponseType(200), ProducesResponseType(404)]
    public static async Task<IResult> GetYaml(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var yaml = await dispatcher.SendAsync(new GetPipelineYaml(id), http.ToCaller(), ct);
        if (!yaml.Succeeded) return ApiResults.Problem(yaml.Failure!);
        http.Response.Headers.ETag = $"\"{yaml.Value!.Version}\"";
        return Results.Text(yaml.Value.Yaml, "text/yaml; charset=utf-8");
    }

    [WolverinePut("/api/v1/pipelines/{id}/yaml"), Tags("Pipelines")]
    [ProducesResponseType<PipelineView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> ChangeYaml(Guid id, PipelineYamlBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (string.IsNullOrWhiteSpace(body.Yaml)) return ApiResults.Problem(Failure.Invalid("Give the pipeline's YAML.", "yaml"));
        return await Changed(await dispatcher.SendAsync(new ChangePipeline(id, null, body.Yaml, body.Reason, body.ExpectedVersion), http.ToCaller(), ct),
            id, http, dispatcher, ct);
    }

    [WolverineGet("/api/v1/pipelines/{id}/versions"), Tags("Pipelines")]
    [ProducesResponseType<IReadOnlyList<PipelineVersion>>(200), ProducesResponseType(404)]
    public static async Task<IResult> Versions(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetPipelineVersions(id), http.ToCaller(), ct));

    /// <summary>A new git push webhook secret (the old one stops working): answered this once, with the path to post to.</summary>
    [WolverinePost("/api/v1/pipelines/{id}/webhook-secret"), Tags("Pipelines")]
    [ProducesResponseType<PipelineWebhookSetUp>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RotateWebhookSecret(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var rotated = await dispatcher.SendAsync(new RotatePipelineWebhookSecret(id), http.ToCaller(), ct);
        if (!rotated.Succeeded) return ApiResults.Problem(rotated.Failure!);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(rotated.Value);
    }

    private static async Task<IResult> Changed(Result<Accepted> changed, Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetPipeline(id), http.ToCaller(), ct));
    }
}
