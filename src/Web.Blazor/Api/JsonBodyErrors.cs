using System.Text.Json;
using Cocktail.Application.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Cocktail.Web.Api;

/// <summary>
/// Reads an API request's JSON body once before the endpoint does, so that a wrong type, an unknown enum name or
/// malformed JSON is answered as a field error (`errors: { "role": [...] }`) like every other invalid input,
/// rather than as a generic parse failure. The body is buffered and rewound for the endpoint.
/// </summary>
public sealed class JsonBodyErrors(RequestDelegate next, IOptions<JsonOptions> json)
{
    private const long MaxBodyBytes = 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var bodyType = BodyType(http);
        if (bodyType is null || http.Request.ContentLength == 0)
        {
            await next(http);
            return;
        }
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await ApiResults.Problem(Failure.Invalid($"The body is larger than {MaxBodyBytes / 1024 / 1024} MiB.")).ExecuteAsync(http);
            return;
        }

        http.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: MaxBodyBytes);
        try
        {
            await JsonSerializer.DeserializeAsync(http.Request.Body, bodyType, json.Value.SerializerOptions, http.RequestAborted);
        }
        catch (JsonException e)
        {
            await ApiResults.Problem(Failure.Invalid(Describe(e), Field(e.Path))).ExecuteAsync(http);
            return;
        }
        catch (IOException) when (http.Request.Body.Position >= MaxBodyBytes)
        {
            await ApiResults.Problem(Failure.Invalid($"The body is larger than {MaxBodyBytes / 1024 / 1024} MiB.")).ExecuteAsync(http);
            return;
        }
        http.Request.Body.Position = 0;
        await next(http);
    }

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
