using Cocktail.Application.Common;

namespace Cocktail.Web.Api;

/// <summary>Failures become RFC 9457 problem details with the status a client can act on.</summary>
public static class ApiResults
{
    public static IResult Problem(Failure failure)
    {
        var status = failure.Kind switch
        {
            FailureKind.Invalid => StatusCodes.Status400BadRequest,
            FailureKind.Unauthorized => StatusCodes.Status401Unauthorized,
            FailureKind.Forbidden => StatusCodes.Status403Forbidden,
            FailureKind.NotFound => StatusCodes.Status404NotFound,
            FailureKind.Conflict => StatusCodes.Status409Conflict,
            FailureKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        var title = failure.Kind switch
        {
            FailureKind.Invalid => "The request is not valid.",
            FailureKind.Unauthorized => "Unauthorized",
            FailureKind.Forbidden => "Forbidden",
            FailureKind.NotFound => "Not found",
            FailureKind.Conflict => "Conflict",
            FailureKind.Unavailable => "The cluster is unavailable",
            _ => "Error",
        };
        return failure.FieldErrors is { Count: > 0 } errors
            ? Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value), detail: failure.Message, statusCode: status, title: title)
            : Results.Problem(detail: failure.Message, statusCode: status, title: title);
    }

    public static IResult Ok<T>(Result<T> result) => result.Succeeded ? Results.Ok(result.Value) : Problem(result.Failure!);

    public static string? QueryValue(this HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString() : null;

    public static IResult MissingBody() =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.",
            detail: "The request needs a JSON body.");
}
