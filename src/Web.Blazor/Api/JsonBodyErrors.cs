using System.Text.Json;
using Cocktail.Application.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Cocktail.Web.Api;

/// <summary>
/// Reads an API request's JSON body once before the endpoint does, so that a wrong type, an unknown enum name or
/// malformed JSON is answered as a field error (`errors: { "role": [...] }`) like every other invalid input,
/// rather than as a generic parse failure; screens every API request with <see cref="InputScreening"/>. The body is
/// read once, up to its limit (413 beyond, chunked or not), and handed to the endpoint from memory.
/// </summary>
public sealed class JsonBodyErrors(RequestDelegate next, IOptions<JsonOptions> json)
{
    private const long MaxBodyBytes = 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments("/api") && InputScreening.Request(http) is { } bad)
        {
            await ApiResults.Problem(Failure.Invalid(bad.Message, bad.Field)).ExecuteAsync(http);
            return;
        }
        var bodyType = BodyType(http);
        if (bodyType is null || http.Request.ContentLength == 0)
        {
            await next(http);
            return;
        }
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await TooLarge().ExecuteAsync(http);
            return;
        }

        var body = await ReadAsync(http);
        if (body is null)
        {
            await TooLarge().ExecuteAsync(http);
            return;
        }
        try
        {
            JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), bodyType, json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            await ApiResults.Problem(Failure.Invalid(Describe(e), Field(e.Path))).ExecuteAsync(http);
            return;
        }
        if (InputScreening.Body(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } screened)
        {
            await ApiResults.Problem(Failure.Invalid(screened.Message, screened.Field)).ExecuteAsync(http);
            return;
        }
        http.Request.Body = body;
        await next(http);
    }

    /// <summary>The whole body, chunked or not, up to the limit; null when it is larger.</summary>
    private static async Task<MemoryStream?> ReadAsync(HttpContext http)
    {
        var body = new MemoryStream();
        http.Response.RegisterForDispose(body);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes) return null;
            body.Write(buffer, 0, read);
        }
        body.Position = 0;
        return body;
    }

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large.",
            detail: $"The body is larger than {MaxBodyBytes / 1024 / 1024} MiB.");

    private static Type? BodyType(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/api") || !HttpMethods.IsPost(http.Request.Method) &&
            !HttpMethods.IsPut(http.Request.Method) && !HttpMethods.IsPatch(http.Request.Method))
            return null;
        return http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
    }

    private static string Describe(JsonException e) =>
        e.Path is null or "$"
            ? "The body is not valid JSON for this request."
            : $"The value of '{Field(e.Path)}' is not valid here: wrong type, unknown value, or malformed JSON.";

    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.") ? path[2..] : path.TrimStart('$');
}
