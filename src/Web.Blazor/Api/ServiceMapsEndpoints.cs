using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.ChangingQuota;
using Cocktail.Application.ServiceMaps.ChangingSettings;
using Cocktail.Application.ServiceMaps.Creating;
using Cocktail.Application.ServiceMaps.Deleting;
using Cocktail.Application.ServiceMaps.Listing;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record CreateServiceMapRequest(string Name, Guid ClusterId, string? Namespace, Quota? Quota, DefaultLimits? DefaultLimits,
    PodSecurityLevel? PodSecurity);

public sealed record UpdateServiceMapRequest(string? Name, Quota? Quota, DefaultLimits? DefaultLimits, PodSecurityLevel? PodSecurity);

public static class ServiceMapsEndpoints
{
    [WolverinePost("/api/v1/workspaces/{id}/service-maps"), Tags("Service maps")]
    [ProducesResponseType<ServiceMapView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> CreateServiceMap(Guid id, CreateServiceMapRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var created = await dispatcher.SendAsync(new CreateServiceMap(id, body.Name, body.ClusterId, body.Namespace, body.Quota,
            body.DefaultLimits, body.PodSecurity), caller, ct);
        if (!created.Succeeded) return ApiResults.Problem(created.Failure!);
        var map = await dispatcher.SendAsync(new GetServiceMap(created.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/service-maps/{created.Value.Id}", map.Value);
    }

    [WolverineGet("/api/v1/workspaces/{id}/service-maps"), Tags("Service maps")]
    [ProducesResponseType<Page<ServiceMapView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListServiceMaps(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] Guid? clusterId, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListServiceMaps(id, clusterId, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/service-maps/{id}"), Tags("Service maps")]
    [ProducesResponseType<ServiceMapView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetServiceMap(id), http.ToCaller(), ct));

    /// <summary>Usage as the cluster's ResourceQuota reports it now.</summary>
    [WolverineGet("/api/v1/service-maps/{id}/usage"), Tags("Service maps")]
    [ProducesResponseType<ServiceMapUsage>(200), ProducesResponseType(404)]
    public static async Task<IResult> Usage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetServiceMapUsage(id), http.ToCaller(), ct));

    /// <summary>Changes the quota and/or the settings; each is its own event and is reconciled onto the cluster.</summary>
    [WolverinePatch("/api/v1/service-maps/{id}"), Tags("Service maps")]
    [ProducesResponseType<ServiceMapView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Update(Guid id, UpdateServiceMapRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        if (body.Quota is not null)
        {
            var quota = await dispatcher.SendAsync(new ChangeServiceMapQuota(id, body.Quota), caller, ct);
            if (!quota.Succeeded) return ApiResults.Problem(quota.Failure!);
        }
        if (body.Name is not null || body.DefaultLimits is not null || body.PodSecurity is not null)
        {
            var settings = await dispatcher.SendAsync(new ChangeServiceMapSettings(id, body.Name, body.DefaultLimits, body.PodSecurity), caller, ct);
            if (!settings.Succeeded) return ApiResults.Problem(settings.Failure!);
        }
        return ApiResults.Ok(await dispatcher.SendAsync(new GetServiceMap(id), caller, ct));
    }

    /// <summary>Deletes the namespace and all it holds: `?confirm=` must be the namespace.</summary>
    [WolverineDelete("/api/v1/service-maps/{id}"), Tags("Service maps")]
    [ProducesResponseType(202), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Delete(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? confirm)
    {
        var result = await dispatcher.SendAsync(new DeleteServiceMap(id, confirm), http.ToCaller(), ct);
        return result.Succeeded ? Results.Accepted($"/api/v1/service-maps/{id}") : ApiResults.Problem(result.Failure!);
    }
}
