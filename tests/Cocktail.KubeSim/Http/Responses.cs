using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Microsoft.AspNetCore.Http;

namespace Cocktail.KubeSim.Http;

/// <summary>Writes API responses the way the apiserver frames them (content type, Status bodies, Retry-After).</summary>
public static class Responses
{
    public const string Json = "application/json";

    public static Task WriteJson(HttpContext context, int statusCode, JsonNode body) =>
        WriteBytes(context, statusCode, body.ToUtf8(), Json);

    public static async Task WriteBytes(HttpContext context, int statusCode, byte[] body, string contentType)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(body);
    }

    public static Task WriteStatus(HttpContext context, ApiException error)
    {
        if (error.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString();
        if (!error.PlainText) return WriteJson(context, error.Code, error.ToStatus());
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return WriteBytes(context, error.Code, System.Text.Encoding.UTF8.GetBytes(error.Message + "\n"), "text/plain; charset=utf-8");
    }

    /// <summary>The success Status returned by deletes and similar.</summary>
    public static JsonObject Success(int code = 200) => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = code,
    };
}
