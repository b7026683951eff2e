using Cocktail.Application.Clusters.ViewingObjects;
using Cocktail.Application.Common;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// One object of a cluster, read live: `kind` is the resource's plural (nodes, namespaces, pods, deployments,
/// statefulsets, daemonsets, jobs, cronjobs, services, ingresses, events). Secrets are never served. An object the
/// caller may not see answers 404, as one that does not exist.
/// </summary>
public static class ClusterObjectsEndpoints
{
    /// <summary>A node or a namespace: its summary, related objects, events and YAML; `?format=yaml` for the YAML alone.</summary>
    [WolverineGet("/api/v1/clusters/{id}/objects/{kind}/{name}"), Tags("Clusters")]
    [ProducesResponseType<ClusterObjectDetails>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static Task<IResult> GetClusterScoped(Guid id, string kind, string name, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? format) =>
        AnswerAsync(new GetClusterObject(id, kind, null, name), format, http, dispatcher, ct);

    /// <summary>An object in a namespace: its summary, related objects, events and YAML; `?format=yaml` for the YAML alone.</summary>
    [WolverineGet("/api/v1/clusters/{id}/objects/{kind}/{ns}/{name}"), Tags("Clusters")]
    [ProducesResponseType<ClusterObjectDetails>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static Task<IResult> GetNamespaced(Guid id, string kind, string ns, string name, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? format) =>
        AnswerAsync(new GetClusterObject(id, kind, ns, name), format, http, dispatcher, ct);

    private static async Task<IResult> AnswerAsync(GetClusterObject query, string? format, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (format is not (null or "" or "json" or "yaml"))
            return ApiResults.Problem(Failure.Invalid("The formats are json and yaml.", "format"));
        var result = await dispatcher.SendAsync(query, http.ToCaller(), ct);
        if (!result.Succeeded || format != "yaml") return ApiResults.Ok(result);
        if (result.Value!.Yaml is not { } yaml)
            return ApiResults.Problem(Failure.NotFound("This node is shown as capacity only; its YAML is for platform admins and auditors."));
        http.Response.Headers.CacheControl = "no-store";
        return Results.Text(yaml, "application/yaml; charset=utf-8");
    }
}
