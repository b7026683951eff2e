using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.GrantingExceptions;
using Cocktail.Application.ImageScanning.ListingExceptions;
using Cocktail.Application.ImageScanning.RevokingExceptions;
using Cocktail.Application.ImageScanning.Viewing;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record GrantVulnerabilityExceptionBody(string? VulnerabilityId, string? ImagePattern, string? Reason, DateTimeOffset? ValidUntil);

public sealed record RevokeVulnerabilityExceptionBody(string? Reason);

/// <summary>
/// A workspace's scanned images, their findings, the workloads running critical ones and the trend (members read), and
/// its vulnerability exceptions (members read, workspace admins and platform admins grant and revoke).
/// </summary>
public static class VulnerabilitiesEndpoints
{
    /// <summary>Images by worst severity (<c>sort=severity</c>, the default) or last scanned first (<c>sort=scanned</c>), a page at a time.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/vulnerabilities/images"), Tags("Vulnerabilities")]
    [ProducesResponseType<Page<VulnerableImageItem>>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> ListImages(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] int? page,
        [FromQuery] int? pageSize, [FromQuery] string? sort) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListVulnerableImages(id, page ?? 1, pageSize ?? 50, sort), http.ToCaller(), ct));

    /// <summary>One image's findings (package, installed and fixed version, link), the exceptions that waive them and the workspace policy's verdict.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/vulnerabilities/images/{digest}"), Tags("Vulnerabilities")]
    [ProducesResponseType<VulnerableImageDetails>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> GetImage(Guid id, string digest, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetVulnerableImage(id, digest), http.ToCaller(), ct));

    /// <summary>The workspace's workloads whose image has a critical finding, one row per container.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/vulnerabilities/affected-workloads"), Tags("Vulnerabilities")]
    [ProducesResponseType<IReadOnlyList<AffectedWorkload>>(200), ProducesResponseType(404)]
    public static async Task<IResult> AffectedWorkloads(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListAffectedWorkloads(id), http.ToCaller(), ct));

    /// <summary>Per day (UTC) of the last <c>days</c> (30 unless given, at most 365): findings per severity over each image's latest scan that day.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/vulnerabilities/trend"), Tags("Vulnerabilities")]
    [ProducesResponseType<VulnerabilityTrend>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Trend(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] int? days) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetVulnerabilityTrend(id, days ?? 30), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workspaces/{id}/vulnerability-exceptions"), Tags("Vulnerabilities")]
    [ProducesResponseType<IReadOnlyList<VulnerabilityExceptionItem>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListExceptions(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListVulnerabilityExceptions(id), http.ToCaller(), ct));

    /// <summary>Accepts a vulnerability in the images a pattern names, for a reason, until <c>validUntil</c> (at most the configured maximum ahead).</summary>
    [WolverinePost("/api/v1/workspaces/{id}/vulnerability-exceptions"), Tags("Vulnerabilities")]
    [ProducesResponseType<VulnerabilityExceptionItem>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> GrantException(Guid id, GrantVulnerabilityExceptionBody? body, HttpContext http, RequestDispatcher dispatcher,
        CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var result = await dispatcher.SendAsync(new GrantVulnerabilityException(id, body.VulnerabilityId, body.ImagePattern, body.Reason, body.ValidUntil),
            http.ToCaller(), ct);
        return result.Succeeded
            ? Results.Created($"/api/v1/workspaces/{id}/vulnerability-exceptions/{result.Value!.Id}", result.Value)
            : ApiResults.Problem(result.Failure!);
    }

    [WolverinePost("/api/v1/workspaces/{id}/vulnerability-exceptions/{exceptionId}/revoke"), Tags("Vulnerabilities")]
    [ProducesResponseType<Accepted>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> RevokeException(Guid id, Guid exceptionId, RevokeVulnerabilityExceptionBody? body, HttpContext http,
        RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new RevokeVulnerabilityException(id, exceptionId, body?.Reason), http.ToCaller(), ct));
}
