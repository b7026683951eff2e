using Cocktail.Application.Common;
using Cocktail.Application.QuotaRequests;
using Cocktail.Application.QuotaRequests.Approving;
using Cocktail.Application.QuotaRequests.Listing;
using Cocktail.Application.QuotaRequests.Rejecting;
using Cocktail.Application.QuotaRequests.Requesting;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record QuotaRequestBody(Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, Quota? Quota, string Reason);

/// <summary>The body of every rejection (quota and access requests): why.</summary>
public sealed record RejectBody(string Reason);

/// <summary>The QuotaRequests capability: members ask for more quota, platform admins decide.</summary>
public static class QuotaRequestsEndpoints
{
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
