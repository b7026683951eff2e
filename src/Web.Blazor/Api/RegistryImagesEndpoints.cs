using Cocktail.Application.Common;
using Cocktail.Application.Registries.BrowsingImages;
using Cocktail.Application.Registries.DeletingTags;
using Cocktail.Application.Registries.ReceivingNotifications;
using Cocktail.Application.Registries.Retaining;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record RetentionRuleBody(int? KeepLast, int? KeepNewerThanDays, long? ExpectedVersion = null);

public sealed record DeleteTagBody(string? Reason, long? ExpectedVersion = null);

/// <summary>
/// The workspace registry's repositories and tags (members read; developers and workspace admins delete tags;
/// workspace admins set retention rules), and the registry's notification webhook.
/// </summary>
public static class RegistryImagesEndpoints
{
    public const long MaxNotificationBody = 1024 * 1024;

    [WolverineGet("/api/v1/workspaces/{id}/image-repositories"), Tags("Registry")]
    [ProducesResponseType<IReadOnlyList<ImageRepositoryItem>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListRepositories(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListImageRepositories(id), http.ToCaller(), ct));

    /// <summary>A repository and a page of its tags (digest, size, created time from the image config, who pushed), newest push first or <c>sort=tag</c>.</summary>
    [WolverineGet("/api/v1/image-repositories/{id}"), Tags("Registry")]
    [ProducesResponseType<ImageRepositoryDetails>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> GetRepository(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] int? page,
        [FromQuery] int? pageSize, [FromQuery] string? sort) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetImageRepository(id, page ?? 1, pageSize ?? 50, sort), http.ToCaller(), ct));

    /// <summary>
    /// Deletes a tag. The registry deletes by manifest digest, so every tag of the same image goes with it (each one
    /// recorded); the manifest leaves the registry right after.
    /// </summary>
    [WolverineDelete("/api/v1/image-repositories/{id}/tags/{tag}"), Tags("Registry")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> DeleteTag(Guid id, string tag, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? reason) =>
        WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new DeleteImageTag(id, tag, reason), http.ToCaller(), ct));

    /// <summary>Keep the last <c>keepLast</c> tags and those newer than <c>keepNewerThanDays</c>; both null removes the rule. It runs on a schedule.</summary>
    [WolverinePut("/api/v1/image-repositories/{id}/retention"), Tags("Registry")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> SetRetention(Guid id, RetentionRuleBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new ChangeRetentionRule(id, body.KeepLast, body.KeepNewerThanDays, body.ExpectedVersion),
            http.ToCaller(), ct));
    }

    /// <summary>
    /// The registry's notifications (<c>application/vnd.docker.distribution.events.v1+json</c>), authenticated by the
    /// configured secret as a bearer token. A plain endpoint: the body is read, bounded, only once the sender is known.
    /// </summary>
    public static void MapRegistryNotifications(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/registry/notifications", async (HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
            {
                using var body = new PooledRequestBody(http.Request);
                return ApiResults.Ok(await dispatcher.SendAsync(new ReceiveRegistryNotifications(BearerToken(http.Request.Headers.Authorization.ToString()), body),
                    http.ToCaller(), ct));
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxNotificationBody))
            .WithTags("Registry")
            .AllowAnonymous();

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length ? header["Bearer ".Length..].Trim() : null;
}
