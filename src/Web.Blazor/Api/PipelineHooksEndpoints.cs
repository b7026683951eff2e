using Cocktail.Application.Common;
using Cocktail.Application.Pipelines.Triggering;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Cocktail.Web.Api;

/// <summary>
/// Git providers' push webhooks for pipelines (GitHub, GitLab, Gitea): anonymous, each delivery proven by the
/// pipeline's webhook secret as its provider signs. 202 with whether a run started (and its id) or why not; 401 for a
/// bad signature or token; 404 for an unknown pipeline or provider; 413 above 5 MiB.
/// </summary>
public static class PipelineHooksEndpoints
{
    public const long MaxBody = GitPushHooks.MaxBodyBytes;

    public static void MapPipelineHooks(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/hooks/pipelines/{id}/{provider}", async (Guid id, string provider, HttpContext http, RequestDispatcher dispatcher,
                CancellationToken ct) =>
            {
                if (http.Request.ContentLength > MaxBody) return TooLarge();
                using var body = new PooledRequestBody(http.Request);
                try
                {
                    // Read before dispatching, so that a body beyond the limit is a 413 here rather than an error inside the handler.
                    await body.ReadAsync(ct);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return TooLarge();
                }
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var name in ReceivePipelineHook.ReadHeaders)
                    if (http.Request.Headers.TryGetValue(name, out var value)) headers[name] = value.ToString();
                var result = await dispatcher.SendAsync(new ReceivePipelineHook(id, provider, headers, body), http.ToCaller(), ct);
                return result.Succeeded ? Results.Json(result.Value, statusCode: StatusCodes.Status202Accepted) : ApiResults.Problem(result.Failure!);
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxBody))
            .WithTags("Pipelines")
            .Produces<PipelineHookReceipt>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .AllowAnonymous();

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: "A push webhook's body is at most 5 MiB.");
}
