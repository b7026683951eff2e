using Cocktail.Application.AccessGrants;
using Cocktail.Application.AccessGrants.Granting;
using Cocktail.Application.AccessGrants.ApprovingRequests;
using Cocktail.Application.AccessGrants.DownloadingKubeconfigs;
using Cocktail.Application.AccessGrants.Listing;
using Cocktail.Application.AccessGrants.ListingRequests;
using Cocktail.Application.AccessGrants.RejectingRequests;
using Cocktail.Application.AccessGrants.Requesting;
using Cocktail.Application.AccessGrants.Revoking;
using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record RevokeRequest(string Reason);

/// <summary>The AccessGrants capability: grants, their kubeconfigs, and just-in-time access requests.</summary>
public static class AccessGrantsEndpoints
{
    [WolverinePost("/api/v1/access-grants"), Tags("Access")]
    [ProducesResponseType<AccessGrantItem>(201), ProducesResponseType(400), ProducesResponseType(403)]
    public static async Task<IResult> Grant(GrantAccess? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var granted = await dispatcher.SendAsync(body, caller, ct);
        if (!granted.Succeeded) return ApiResults.Problem(granted.Failure!);
        var grant = await dispatcher.SendAsync(new GetAccessGrant(granted.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/access-grants/{granted.Value.Id}", grant.Value);
    }

    [WolverineGet("/api/v1/access-grants"), Tags("Access")]
    [ProducesResponseType<Page<AccessGrantItem>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? clusterId,
        [FromQuery] Guid? userId, [FromQuery] GrantState? state, [FromQuery] bool? mine, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListAccessGrants(clusterId, userId, state, mine ?? false, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/access-grants/{id}"), Tags("Access")]
    [ProducesResponseType<AccessGrantItem>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetAccessGrant(id), http.ToCaller(), ct));

    /// <summary>A kubeconfig with a fresh token (TokenRequest) that expires no later than the grant. Grantee and platform admins only.</summary>
    [WolverineGet("/api/v1/access-grants/{id}/kubeconfig"), Tags("Access")]
    [ProducesResponseType(200), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Kubeconfig(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var issued = await dispatcher.SendAsync(new IssueKubeconfig(id), http.ToCaller(), ct);
        if (!issued.Succeeded) return ApiResults.Problem(issued.Failure!);
        http.Response.Headers["X-Token-Expires-At"] = issued.Value!.TokenExpiresAt.ToString("O");
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(System.Text.Encoding.UTF8.GetBytes(issued.Value.Kubeconfig), "application/yaml", issued.Value.FileName);
    }

    [WolverinePost("/api/v1/access-grants/{id}/revoke"), Tags("Access")]
    [ProducesResponseType<AccessGrantItem>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Revoke(Guid id, RevokeRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new RevokeAccessGrant(id, body.Reason), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetAccessGrant(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    [WolverinePost("/api/v1/access-requests"), Tags("Access")]
    [ProducesResponseType<AccessRequestView>(201), ProducesResponseType(400)]
    public static async Task<IResult> RequestAccess(RequestAccess? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(body, caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        var mine = await dispatcher.SendAsync(new ListAccessRequests(Mine: true, PageSize: 500), caller, ct);
        return Results.Created($"/api/v1/access-requests/{result.Value!.Id}", mine.Value?.Items.FirstOrDefault(r => r.Id == result.Value.Id));
    }

    [WolverineGet("/api/v1/access-requests"), Tags("Access")]
    [ProducesResponseType<Page<AccessRequestView>>(200)]
    public static async Task<IResult> ListRequests(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] AccessRequestState? state, [FromQuery] bool? mine, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListAccessRequests(state, mine ?? false, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    /// <summary>Approving creates the grant; the answer is the grant.</summary>
    [WolverinePost("/api/v1/access-requests/{id}/approve"), Tags("Access")]
    [ProducesResponseType<AccessGrantItem>(200), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Approve(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new ApproveAccessRequest(id), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetAccessGrant(result.Value!.Id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    [WolverinePost("/api/v1/access-requests/{id}/reject"), Tags("Access")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Reject(Guid id, RejectBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? ApiResults.MissingBody() : WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new RejectAccessRequest(id, body.Reason), http.ToCaller(), ct));
}
