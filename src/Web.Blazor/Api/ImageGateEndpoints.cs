using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.ConfiguringGate;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary><c>webhookUrl</c>: where the cluster's API servers reach Cocktail's admission listener (https).</summary>
public sealed record ImageGateRequest(string? WebhookUrl);

/// <summary>A cluster's image gate: the URL its API servers call Cocktail at, and whether the cluster holds the webhook.</summary>
public static class ImageGateEndpoints
{
    [WolverineGet("/api/v1/clusters/{id}/image-gate"), Tags("Image gate")]
    [ProducesResponseType<ImageGateSettings>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetImageGate(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetImageGate(id), http.ToCaller(), ct));

    /// <summary>Platform admins set the URL; the webhook configuration follows on the cluster.</summary>
    [WolverinePut("/api/v1/clusters/{id}/image-gate"), Tags("Image gate")]
    [ProducesResponseType<ImageGateSettings>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> PutImageGate(Guid id, ImageGateRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new ConfigureImageGate(id, body.WebhookUrl), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetImageGate(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    /// <summary>Platform admins remove the setting; the webhook configuration is deleted from the cluster.</summary>
    [WolverineDelete("/api/v1/clusters/{id}/image-gate"), Tags("Image gate")]
    [ProducesResponseType<ImageGateSettings>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> DeleteImageGate(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new ClearImageGate(id), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetImageGate(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }
}
