using System.Text;
using Cocktail.Application.Builds;
using Cocktail.Application.Builds.Cancelling;
using Cocktail.Application.Builds.Configuring;
using Cocktail.Application.Builds.Defining;
using Cocktail.Application.Builds.Listing;
using Cocktail.Application.Builds.Running;
using Cocktail.Application.Common;
using Cocktail.Domain.Builds;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>A build definition as the API takes it; `gitPassword` is stored encrypted and never returned.</summary>
public sealed record BuildDefinitionBody(
    string? Name, string? GitUrl, string? Ref, string? Context, string? Dockerfile, IReadOnlyDictionary<string, string>? BuildArgs, string? Repository,
    string? TagTemplate, BuildTool? Tool, string? GitUserName, [property: Secret] string? GitPassword)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record RunBuildBody(string? Commit);
public sealed record CancelBuildBody(string? Reason);
public sealed record BuildSettingsBody(Guid ClusterId, string? Namespace, string? CpuLimit, string? MemoryLimit, int? ConcurrencyPerWorkspace, int? TimeoutMinutes);

public static class BuildsEndpoints
{
    [WolverinePost("/api/v1/workspaces/{id}/build-definitions"), Tags("Builds")]
    [ProducesResponseType<BuildDefinitionView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Define(Guid id, BuildDefinitionBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var defined = await dispatcher.SendAsync(new DefineBuild(id, body.Name ?? "", body.GitUrl ?? "", body.Ref, body.Context, body.Dockerfile, body.BuildArgs,
            body.Repository ?? "", body.TagTemplate, body.Tool, body.GitUserName, body.GitPassword), caller, ct);
        if (!defined.Succeeded) return ApiResults.Problem(defined.Failure!);
        var definition = await dispatcher.SendAsync(new GetBuildDefinition(defined.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/build-definitions/{defined.Value.Id}", definition.Value);
    }

    [WolverineGet("/api/v1/workspaces/{id}/build-definitions"), Tags("Builds")]
    [ProducesResponseType<IReadOnlyList<BuildDefinitionView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListDefinitions(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListBuildDefinitions(id), http.ToCaller(), ct));

    [WolverineGet("/api/v1/build-definitions/{id}"), Tags("Builds")]
    [ProducesResponseType<BuildDefinitionView>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetDefinition(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetBuildDefinition(id), http.ToCaller(), ct));

    /// <summary>Queues a run; 202 with the build, which starts when the workspace has a free slot.</summary>
    [WolverinePost("/api/v1/build-definitions/{id}/runs"), Tags("Builds")]
    [ProducesResponseType<BuildView>(202), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Run(Guid id, RunBuildBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Queued(await dispatcher.SendAsync(new RunBuild(id, body?.Commit), http.ToCaller(), ct), http, dispatcher, ct);

    [WolverineGet("/api/v1/workspaces/{id}/builds"), Tags("Builds")]
    [ProducesResponseType<Page<BuildView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListBuilds(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] Guid? definitionId, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListBuilds(id, definitionId, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/builds/{id}"), Tags("Builds")]
    [ProducesResponseType<BuildView>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetBuild(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetBuild(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/builds/{id}/cancel"), Tags("Builds")]
    [ProducesResponseType<BuildView>(200), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Cancel(Guid id, CancelBuildBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var cancelled = await dispatcher.SendAsync(new CancelBuild(id, body?.Reason), http.ToCaller(), ct);
        if (!cancelled.Succeeded) return ApiResults.Problem(cancelled.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetBuild(id), http.ToCaller(), ct));
    }

    [WolverinePost("/api/v1/builds/{id}/rerun"), Tags("Builds")]
    [ProducesResponseType<BuildView>(202), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Rerun(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        await Queued(await dispatcher.SendAsync(new RerunBuild(id), http.ToCaller(), ct), http, dispatcher, ct);

    /// <summary>The build's log as text; `follow=true` keeps it open until the build ends.</summary>
    [WolverineGet("/api/v1/builds/{id}/log"), Tags("Builds")]
    [ProducesResponseType(200), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Log(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] bool? follow)
    {
        var log = await dispatcher.SendAsync(new OpenBuildLog(id, follow ?? false), http.ToCaller(), ct);
        if (!log.Succeeded) return ApiResults.Problem(log.Failure!);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Stream(log.Value!.Content, "text/plain; charset=utf-8");
    }

    [WolverineGet("/api/v1/platform/builds"), Tags("Builds")]
    [ProducesResponseType<BuildSettings>(200)]
    public static async Task<IResult> GetSettings(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetBuildSettings(), http.ToCaller(), ct));

    [WolverinePut("/api/v1/platform/builds"), Tags("Builds")]
    [ProducesResponseType<BuildSettings>(200), ProducesResponseType(400), ProducesResponseType(403)]
    public static async Task<IResult> ChangeSettings(BuildSettingsBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var changed = await dispatcher.SendAsync(new ChangeBuildSettings(body.ClusterId, body.Namespace, body.CpuLimit, body.MemoryLimit,
            body.ConcurrencyPerWorkspace, body.TimeoutMinutes), http.ToCaller(), ct);
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetBuildSettings(), http.ToCaller(), ct));
    }

    private static async Task<IResult> Queued(Result<Accepted> queued, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (!queued.Succeeded) return ApiResults.Problem(queued.Failure!);
        var build = await dispatcher.SendAsync(new GetBuild(queued.Value!.Id), http.ToCaller(), ct);
        return Results.Accepted($"/api/v1/builds/{queued.Value.Id}", build.Value);
    }
}
