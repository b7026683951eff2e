using Cocktail.Application.Common;
using Cocktail.Application.QuotaRequests;
using Cocktail.Application.QuotaRequests.Deciding;
using Cocktail.Application.QuotaRequests.Listing;
using Cocktail.Application.QuotaRequests.Requesting;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.ChangingQuota;
using Cocktail.Application.ServiceMaps.ChangingSettings;
using Cocktail.Application.ServiceMaps.Deleting;
using Cocktail.Application.ServiceMaps.Listing;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record UpdateServiceMapRequest(string? Name, Quota? Quota, DefaultLimits? DefaultLimits, PodSecurityLevel? PodSecurity);
public sealed record QuotaRequestBody(Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, Quota? Quota, string Reason);
public sealed record RejectBody(string Reason);

public static class ServiceMapsEndpoints
{
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

    [WolverinePost("/api/v1/quota-requests"), Tags("Quota requests")]
    [ProducesResponseType<QuotaRequestView>(201), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> RequestQuota(QuotaRequestBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new RequestQuota(body.WorkspaceId, body.ClusterId, body.ServiceMapId, body.Quota, body.Reason), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        var request = await dispatcher.SendAsync(new ListQuotaRequests(WorkspaceId: body.WorkspaceId, PageSize: 500), caller, ct);
        return Results.Created($"/api/v1/quota-requests/{result.Value!.Id}", request.Value?.Items.FirstOrDefault(r => r.Id == result.Value.Id));
    }

    [WolverineGet("/api/v1/quota-requests"), Tags("Quota requests")]
    [ProducesResponseType<Page<QuotaRequestView>>(200)]
    public static async Task<IResult> ListQuotaRequests(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] QuotaRequestState? state, [FromQuery] Guid? workspaceId, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListQuotaRequests(state, workspaceId, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverinePost("/api/v1/quota-requests/{id}/approve"), Tags("Quota requests")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Approve(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new ApproveQuotaRequest(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/quota-requests/{id}/reject"), Tags("Quota requests")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Reject(Guid id, RejectBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? ApiResults.MissingBody()
            : WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new RejectQuotaRequest(id, body.Reason), http.ToCaller(), ct));
}
