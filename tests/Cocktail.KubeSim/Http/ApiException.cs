using System.Net;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// A failure that the API answers with a <c>Status</c> object, shaped exactly like the apiserver's
/// <c>k8s.io/apimachinery/pkg/api/errors</c> constructors so clients can branch on reason and code.
/// </summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Answered as Go's http.Error does (text/plain, nosniff), not as a JSON Status.</summary>
    public bool PlainText { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        // StatusReasonUnknown ("") is omitted, as metav1.Status serializes it.
        if (Reason.Length > 0) status["reason"] = Reason;
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }

    /// <summary>The "pods" or "deployments.apps" form the apiserver uses in messages.</summary>
    public static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    static JsonObject DetailsOf(string group, string resource, string? name)
    {
        var d = new JsonObject();
        if (name is not null) d["name"] = name;
        if (group.Length > 0) d["group"] = group;
        d["kind"] = resource;
        return d;
    }

    public static ApiException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", DetailsOf(group, resource, name));

    public static ApiException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", DetailsOf(group, resource, name));

    public static ApiException Conflict(string group, string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {why}", DetailsOf(group, resource, name));

    public const string StaleObjectMessage = "the object has been modified; please apply your changes to the latest version and try again";

    public static ApiException Forbidden(string group, string resource, string? name, string why, JsonArray? causes = null)
    {
        var subject = name is null ? Qualified(group, resource) : $"{Qualified(group, resource)} \"{name}\"";
        var details = DetailsOf(group, resource, name);
        if (causes is not null) details["causes"] = causes;
        return new(403, "Forbidden", $"{subject} is forbidden: {why}", details);
    }

    /// <summary>422 Invalid: <c>Kind "name" is invalid: field: Invalid value: ...</c> with one cause per field error.</summary>
    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Detail, ["field"] = e.Field });
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0) details["group"] = group;
        details["kind"] = kind;
        details["causes"] = causes;
        // field.ErrorList.ToAggregate drops repeated messages.
        var messages = errors.Select(e => e.ToString()).Distinct().ToList();
        var joined = messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]";
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        return new(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {joined}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>The apiserver's answer to a body over its 3 MiB limit (k8s.io/apiserver/pkg/endpoints/handlers/rest.go).</summary>
    public static ApiException RequestEntityTooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static ApiException NotFoundPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    /// <summary>
    /// A path no API group or handler claims: the apiserver's handler chain ends in Go's http.NotFound, a plain-text
    /// "404 page not found", not a Status (e.g. /apis/unknown.example.com/v1/things).
    /// </summary>
    public static ApiException PageNotFound() => new(404, "NotFound", "404 page not found") { PlainText = true };

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Gone(string message) => new(410, "Gone", message);

    public static ApiException TooManyRequests(int retryAfterSeconds) =>
        new(429, "TooManyRequests", "Too many requests, please try again later.",
            new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds }) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>
    /// A plain Go error the apiserver did not map to a Status: ErrorToAPIStatus answers 500 with no reason and the
    /// error's text as the message (unlike <see cref="Internal"/>, which is errors.NewInternalError).
    /// </summary>
    public static ApiException Unmapped(string message) => new(500, "", message);

    public static ApiException ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    public static ApiException NotAcceptable(string message) => new((int)HttpStatusCode.NotAcceptable, "NotAcceptable", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {contentType})");
}

/// <summary>One field.ErrorList entry; <c>ToString</c> renders like field.Error.Error().</summary>
public sealed record FieldError(string Field, string Reason, string Detail)
{
    public static FieldError InvalidValue(string field, string value, string why) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {why}");

    public static FieldError Required(string field, string why = "") =>
        new(field, "FieldValueRequired", why.Length == 0 ? "Required value" : $"Required value: {why}");

    public static FieldError Forbidden(string field, string why) => new(field, "FieldValueForbidden", $"Forbidden: {why}");

    public static FieldError NotSupported(string field, string value, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported",
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");

    public override string ToString() => $"{Field}: {Detail}";
}
