using Cocktail.Application.Common;
using Cocktail.Application.Policies;
using Cocktail.Application.Policies.Reporting;
using Cocktail.Application.Policies.SettingServiceMapPolicy;
using Cocktail.Application.Policies.SettingWorkspacePolicy;
using Cocktail.Application.Policies.ViewingServiceMapPolicy;
using Cocktail.Application.Policies.ViewingWorkspacePolicy;
using Cocktail.Domain.Policies;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>The security policies of workspaces and service maps, and the report of workloads that break them.</summary>
public static class PoliciesEndpoints
{
    [WolverineGet("/api/v1/workspaces/{id}/policy"), Tags("Security policies")]
    [ProducesResponseType<SecurityPolicy>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetWorkspacePolicy(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok((await dispatcher.SendAsync(new GetWorkspacePolicy(id), http.ToCaller(), ct)).Map(p => p.Policy));

    /// <summary>Platform admins only; every service map of the workspace is reconciled with the new policy.</summary>
    [WolverinePut("/api/v1/workspaces/{id}/policy"), Tags("Security policies")]
    [ProducesResponseType<SecurityPolicy>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> SetWorkspacePolicy(Guid id, SecurityPolicy? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new SetWorkspacePolicy(id, body), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        return ApiResults.Ok((await dispatcher.SendAsync(new GetWorkspacePolicy(id), caller, ct)).Map(p => p.Policy));
    }

    /// <summary>The service map's own policy, its workspace's, and the effective one (the stricter of each rule).</summary>
    [WolverineGet("/api/v1/service-maps/{id}/policy"), Tags("Security policies")]
    [ProducesResponseType<PolicySet>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetServiceMapPolicy(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetServiceMapPolicy(id), http.ToCaller(), ct));

    /// <summary>Platform admins only; may only tighten the workspace's policy (400 names each field that would loosen it).</summary>
    [WolverinePut("/api/v1/service-maps/{id}/policy"), Tags("Security policies")]
    [ProducesResponseType<PolicySet>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> SetServiceMapPolicy(Guid id, SecurityPolicy? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new SetServiceMapPolicy(id, body), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetServiceMapPolicy(id), caller, ct));
    }

    [WolverineGet("/api/v1/workspaces/{id}/policy-report"), Tags("Security policies")]
    [ProducesResponseType<PolicyReport>(200), ProducesResponseType(404)]
    public static async Task<IResult> PolicyReport(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetPolicyReport(id), http.ToCaller(), ct));
}
