using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Rescanning;
using Cocktail.Application.ImageScanning.Viewing;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record RescanImageBody(string? Repository, string? Digest);

/// <summary>Image scans of a workspace: read an image's scan (members), ask for a rescan (developers and workspace admins).</summary>
public static class ImageScansEndpoints
{
    /// <summary>Queues a scan of an image of the workspace's registry; its outcome appears on the image's scan.</summary>
    [WolverinePost("/api/v1/workspaces/{id}/images/scans"), Tags("Image scanning")]
    [ProducesResponseType<RescanQueued>(202), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Rescan(Guid id, RescanImageBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var queued = await dispatcher.SendAsync(new RescanImage(id, body.Repository, body.Digest), http.ToCaller(), ct);
        return queued.Succeeded
            ? Results.Accepted($"/api/v1/workspaces/{id}/images/scans/{queued.Value!.Digest}", queued.Value)
            : ApiResults.Problem(queued.Failure!);
    }

    /// <summary>An image's latest good scan (findings most severe first), its last attempt, and where the workspace has it.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/images/scans/{digest}"), Tags("Image scanning")]
    [ProducesResponseType<ImageScanDetails>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, string digest, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetImageScan(id, digest), http.ToCaller(), ct));
}
