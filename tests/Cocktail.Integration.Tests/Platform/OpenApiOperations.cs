using System.Text.Json.Nodes;

namespace Cocktail.Integration.Tests.Platform;

/// <summary>One operation of the running app's OpenAPI document: method, path template, parameters and body schema.</summary>
public sealed record OpenApiOperation(string Method, string Path, IReadOnlyList<OpenApiParameter> Parameters, JsonNode? BodySchema)
{
    public IEnumerable<OpenApiParameter> InPath => Parameters.Where(p => p.In == "path");
    public IEnumerable<OpenApiParameter> InQuery => Parameters.Where(p => p.In == "query");
    public override string ToString() => $"{Method} {Path}";
}

public sealed record OpenApiParameter(string Name, string In, JsonNode? Schema, bool Required);

/// <summary>
/// Reads `/openapi/v1.json` of the running app into its operations, so that tests over "every operation" follow the
/// API as it is, with no list to keep up to date. Schemas stay as the document has them; <see cref="Resolve"/>
/// follows a `$ref`.
/// </summary>
public sealed class OpenApiOperations
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    private OpenApiOperations(JsonObject document, IReadOnlyList<OpenApiOperation> operations) =>
        (Document, All) = (document, operations);

    public JsonObject Document { get; }
    public IReadOnlyList<OpenApiOperation> All { get; }

    public static async Task<OpenApiOperations> ReadAsync(HttpClient client)
    {
        var document = (JsonObject)JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var operations = new List<OpenApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var shared = item!["parameters"]?.AsArray() ?? [];
            foreach (var method in Methods)
            {
                if (item[method] is not JsonObject operation) continue;
                var parameters = shared.Concat(operation["parameters"]?.AsArray() ?? [])
                    .Select(p => new OpenApiParameter((string)p!["name"]!, (string)p["in"]!, p["schema"], (bool?)p["required"] ?? false))
                    .ToList();
                // Route parameters the document leaves out are still in the template.
                foreach (var name in System.Text.RegularExpressions.Regex.Matches(path, @"\{(\w+)[^}]*\}").Select(m => m.Groups[1].Value))
                    if (!parameters.Any(p => p.In == "path" && p.Name == name)) parameters.Add(new OpenApiParameter(name, "path", null, true));
                var body = operation["requestBody"]?["content"]?.AsObject()
                    .Where(c => c.Key.Contains("json")).Select(c => c.Value?["schema"]).FirstOrDefault();
                operations.Add(new OpenApiOperation(method.ToUpperInvariant(), path, parameters, body));
            }
        }
        return new OpenApiOperations(document, operations);
    }

    /// <summary>The schema itself, or the component a `$ref` names.</summary>
    public JsonObject? Resolve(JsonNode? schema)
    {
        for (var depth = 0; schema is JsonObject o && depth < 10; depth++)
        {
            if (o["$ref"] is JsonValue reference)
            {
                var name = ((string)reference!).Split('/').Last();
                schema = Document["components"]?["schemas"]?[name];
                continue;
            }
            return o;
        }
        return null;
    }
}
