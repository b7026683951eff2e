using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Microsoft.AspNetCore.Http;

namespace Cocktail.KubeSim.Http;

/// <summary>Reads a request body as JSON or YAML (both are accepted by the apiserver), refusing protobuf.</summary>
public static class RequestBody
{
    public static async Task<string> ReadText(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    public static async Task<JsonNode?> ReadNode(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? Responses.Json;
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return buffer.Length == 0 ? null : Protobuf.ProtobufDecoder.Decode(buffer.ToArray());
        }
        if (contentType.Contains("cbor", StringComparison.OrdinalIgnoreCase))
            throw ApiException.UnsupportedMediaType(contentType);
        var text = await ReadText(context);
        return Parse(text, contentType);
    }

    public static JsonNode? Parse(string text, string contentType)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('{') || trimmed.StartsWith('[')) return JsonNode.Parse(text);
            return YamlToJson.Parse(text);
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw ApiException.BadRequest($"error decoding {(contentType.Contains("yaml") ? "YAML" : "JSON")}: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObject(HttpContext context) =>
        await ReadNode(context) as JsonObject ?? throw ApiException.BadRequest("Object 'Kind' is missing in '{}'");
}
