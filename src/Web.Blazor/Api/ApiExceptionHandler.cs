using System.Text.Json;
using Cocktail.Application.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Cocktail.Web.Api;

/// <summary>
/// Whatever a client sends, it gets a 4xx that says what is wrong, never a 500: malformed JSON, wrong types and
/// unknown enum names become field errors keyed by the JSON path.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = Translate(exception);
        if (result is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            return false;
        }
        await result.ExecuteAsync(http);
        return true;
    }

    private static IResult? Translate(Exception exception)
    {
        if (ConflictExceptions.ToFailure(exception) is { } conflict) return ApiResults.Problem(conflict);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case JsonException json:
                    var field = FieldFromPath(json.Path);
                    return ApiResults.Problem(Failure.Invalid(Describe(json), field ?? "body"));
                case BadHttpRequestException bad:
                    return Results.Problem(statusCode: bad.StatusCode, title: "The request is not valid.", detail: bad.Message);
            }
        }
        return null;
    }

    private static string Describe(JsonException json) =>
        json.Path is null or "$"
            ? "The body is not valid JSON for this request."
            : $"The value at '{json.Path}' is not valid here (wrong type, unknown value or malformed JSON).";

    private static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var trimmed = path.StartsWith("$.") ? path[2..] : path.TrimStart('$');
        return trimmed.Length == 0 ? null : trimmed;
    }
}
