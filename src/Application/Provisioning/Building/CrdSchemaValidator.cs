using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Common;
using Json.Schema;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Checks a built object against its CRD version's <c>openAPIV3Schema</c> with JsonSchema.Net before anything is
/// applied, so a field the management cluster would refuse (or silently prune) is reported with its path first.
/// Kubernetes' structural schemas are OpenAPI v3.0 with extensions, so each is translated to JSON Schema 2020-12:
/// <list type="bullet">
/// <item><c>nullable: true</c> adds null to the type (and the enum);</item>
/// <item><c>x-kubernetes-int-or-string</c> becomes <c>type: [integer, string]</c>;</item>
/// <item>an object with <c>properties</c>, no <c>additionalProperties</c> and no <c>x-kubernetes-preserve-unknown-fields</c>
/// refuses other fields: the API server would prune them without a word, losing what the user asked for;</item>
/// <item><c>x-kubernetes-embedded-resource</c> allows apiVersion, kind and metadata;</item>
/// <item>OpenAPI 3.0's boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> become 2020-12's numbers;</item>
/// <item><c>format</c> is dropped (int32/int64 bounds and Kubernetes' own formats are the API server's business), and so
/// are <c>x-kubernetes-validations</c>: CEL rules need the object's old version and CEL's cost limits, so the API
/// server checks them on apply and its refusal is reported then.</item>
/// </list>
/// The translated schema is cached per (apiVersion, kind, hash of the schema). Schemas come from the management
/// cluster, so they are bounded: at most 4 MiB and 64 levels deep.
/// </summary>
public static class CrdSchemaValidator
{
    public const int MaxSchemaBytes = 4 * 1024 * 1024;
    public const int MaxDepth = 64;
    private const int MaxCached = 256;

    private static readonly ConcurrentDictionary<(string ApiVersion, string Kind, string Hash), Translated> Cache = new();

    private sealed record Translated(JsonSchema Schema, JsonObject Json);

    /// <summary>Every object against the schema of its (apiVersion, kind); an object whose kind is not served is a problem too.</summary>
    public static IReadOnlyList<SchemaProblem> ValidateAll(
        IReadOnlyList<JsonObject> objects, IReadOnlyDictionary<(string ApiVersion, string Kind), JsonElement> schemas)
    {
        var problems = new List<SchemaProblem>();
        foreach (var o in objects)
        {
            var key = (o["apiVersion"]?.GetValue<string>() ?? "", o["kind"]?.GetValue<string>() ?? "");
            if (schemas.TryGetValue(key, out var schema)) problems.AddRange(Validate(o, schema));
            else problems.Add(new SchemaProblem(ClusterObjects.Describe(o), "", $"The management cluster does not serve {key.Item2} in {key.Item1}."));
        }
        return problems;
    }

    public static IReadOnlyList<SchemaProblem> Validate(JsonObject instance, JsonElement openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var name = ClusterObjects.Describe(instance);
        var raw = openApiV3Schema.GetRawText();
        if (Encoding.UTF8.GetByteCount(raw) > MaxSchemaBytes)
            return [new SchemaProblem(name, "", $"The CRD's schema is larger than {MaxSchemaBytes / (1024 * 1024)} MiB; it was not used.")];
        var key = (instance["apiVersion"]?.GetValue<string>() ?? "", instance["kind"]?.GetValue<string>() ?? "",
            Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(raw))));
        Translated translated;
        try
        {
            translated = Cache.TryGetValue(key, out var cached) ? cached : Remember(key, Translate(openApiV3Schema, key));
        }
        catch (SchemaTooDeepException)
        {
            return [new SchemaProblem(name, "", $"The CRD's schema is nested deeper than {MaxDepth} levels; it was not used.")];
        }

        using var document = JsonDocument.Parse(instance.ToJsonString());
        var results = translated.Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var problems = Problems(results, translated.Json, instance, name).Distinct().OrderBy(p => p.Path, StringComparer.Ordinal).ToList();
        // An invalid object never passes as valid for want of a readable message (a junction may fail without one).
        return problems.Count > 0 ? problems : [new SchemaProblem(name, "", "The object does not match its CRD's schema.")];
    }

    private static Translated Remember((string, string, string) key, Translated translated)
    {
        if (Cache.Count >= MaxCached) Cache.Clear();
        Cache[key] = translated;
        return translated;
    }

    // --- translation -------------------------------------------------------------------------------------------

    private sealed class SchemaTooDeepException : Exception;

    private static Translated Translate(JsonElement schema, (string ApiVersion, string Kind, string Hash) key)
    {
        var json = TranslateNode(schema, structural: true, depth: 0);
        json["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        using var document = JsonDocument.Parse(json.ToJsonString());
        var id = new Uri($"https://schemas.cocktail.invalid/{Uri.EscapeDataString(key.ApiVersion)}/{Uri.EscapeDataString(key.Kind)}/{key.Hash}");
        return new Translated(JsonSchema.Build(document.RootElement.Clone(), BuildOptions.Default, id), json);
    }

    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal)
    {
        "description", "example", "externalDocs", "title", "format", "default", "nullable", "deprecated", "readOnly", "writeOnly",
    };

    /// <param name="structural">
    /// False inside allOf/anyOf/oneOf/not: in a structural schema those only add value checks, so closing an object
    /// there would refuse the fields the structural part declares.
    /// </param>
    private static JsonObject TranslateNode(JsonElement s, bool structural, int depth)
    {
        if (depth > MaxDepth) throw new SchemaTooDeepException();
        var result = new JsonObject();
        if (s.ValueKind != JsonValueKind.Object) return result;
        var nullable = s.TryGetProperty("nullable", out var n) && n.ValueKind == JsonValueKind.True;
        var intOrString = s.TryGetProperty("x-kubernetes-int-or-string", out var ios) && ios.ValueKind == JsonValueKind.True;
        var preserve = s.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var p) && p.ValueKind == JsonValueKind.True;
        var embedded = s.TryGetProperty("x-kubernetes-embedded-resource", out var e) && e.ValueKind == JsonValueKind.True;

        foreach (var property in s.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (Dropped.Contains(name) || name.StartsWith("x-kubernetes-", StringComparison.Ordinal)) continue;
            switch (name)
            {
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    var properties = new JsonObject();
                    foreach (var child in value.EnumerateObject()) properties[child.Name] = TranslateNode(child.Value, structural, depth + 1);
                    result[name] = properties;
                    break;
                case "items" or "additionalProperties" or "not" when value.ValueKind == JsonValueKind.Object:
                    result[name] = TranslateNode(value, structural && name != "not", depth + 1);
                    break;
                case "allOf" or "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array:
                    if (intOrString && name == "anyOf") break; // [{type: integer}, {type: string}]: the type below says it
                    result[name] = new JsonArray([.. value.EnumerateArray().Select(x => (JsonNode?)TranslateNode(x, false, depth + 1))]);
                    break;
                case "exclusiveMinimum" or "exclusiveMaximum" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    break; // handled with minimum/maximum below
                case "type":
                    result[name] = nullable && value.ValueKind == JsonValueKind.String
                        ? new JsonArray(value.GetString(), "null")
                        : JsonNode.Parse(value.GetRawText());
                    break;
                case "enum" when nullable && value.ValueKind == JsonValueKind.Array:
                    var values = JsonNode.Parse(value.GetRawText())!.AsArray();
                    values.Add(null);
                    result[name] = values;
                    break;
                default:
                    result[name] = JsonNode.Parse(value.GetRawText());
                    break;
            }
        }
        ExclusiveBound(s, result, "minimum", "exclusiveMinimum");
        ExclusiveBound(s, result, "maximum", "exclusiveMaximum");
        if (intOrString) result["type"] = nullable ? new JsonArray("integer", "string", "null") : new JsonArray("integer", "string");
        if (embedded && result["properties"] is JsonObject own)
        {
            own.TryAdd("apiVersion", new JsonObject { ["type"] = "string" });
            own.TryAdd("kind", new JsonObject { ["type"] = "string" });
            own.TryAdd("metadata", new JsonObject { ["type"] = "object" });
        }
        if (structural && !preserve && result.ContainsKey("properties") && !result.ContainsKey("additionalProperties"))
            result["additionalProperties"] = false;
        return result;
    }

    /// <summary>OpenAPI 3.0 writes an exclusive bound as the bound and a flag; JSON Schema 2020-12 as the bound itself.</summary>
    private static void ExclusiveBound(JsonElement s, JsonObject result, string bound, string exclusive)
    {
        if (!s.TryGetProperty(exclusive, out var flag) || flag.ValueKind != JsonValueKind.True) return;
        if (!s.TryGetProperty(bound, out var value)) return;
        result.Remove(bound);
        result[exclusive] = JsonNode.Parse(value.GetRawText());
    }

    // --- results -----------------------------------------------------------------------------------------------

    private static IEnumerable<SchemaProblem> Problems(EvaluationResults results, JsonObject schema, JsonObject instance, string name)
    {
        foreach (var detail in JsonSchemaResults.Flatten(results))
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } errors) continue;
            var evaluation = JsonSchemaResults.Segments(detail.EvaluationPath.ToString());
            // A failed branch of anyOf/oneOf/not is reported by the junction itself, not branch by branch.
            if (JsonSchemaResults.InsideJunction(evaluation)) continue;
            var location = JsonSchemaResults.Segments(detail.InstanceLocation.ToString());
            var path = Path(instance, location);
            foreach (var (keyword, message) in errors)
            {
                if (keyword == "required")
                {
                    foreach (var missing in Missing(schema, evaluation, instance, location))
                        yield return new SchemaProblem(name, Join(path, missing), "Required value.");
                }
                else if (evaluation.Count > 0 && evaluation[^1] == "additionalProperties")
                    yield return new SchemaProblem(name, path, "Unknown field: the API server would drop it.");
                else if (keyword == "additionalProperties")
                    continue; // the unknown fields themselves are reported above
                else
                    yield return new SchemaProblem(name, path, message);
            }
        }
    }

    /// <summary>The required properties the instance lacks, read from the translated schema at the failing node.</summary>
    private static IEnumerable<string> Missing(JsonObject schema, IReadOnlyList<string> evaluation, JsonObject instance, IReadOnlyList<string> location)
    {
        JsonNode? node = schema;
        foreach (var segment in evaluation)
            node = node switch { JsonObject o => o[segment], JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i], _ => null };
        JsonNode? target = instance;
        foreach (var segment in location)
            target = target switch { JsonObject o => o[segment], JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i], _ => null };
        if (node?["required"] is not JsonArray required || target is not JsonObject present) yield break;
        foreach (var r in required)
            if (r?.GetValue<string>() is { } field && !present.ContainsKey(field)) yield return field;
    }

    /// <summary>"spec.workers[0].class": dots between fields, brackets for list items, as kubectl explains paths.</summary>
    private static string Path(JsonObject instance, IReadOnlyList<string> location)
    {
        var path = new StringBuilder();
        JsonNode? node = instance;
        foreach (var segment in location)
        {
            if (node is JsonArray array && int.TryParse(segment, out var index))
            {
                path.Append('[').Append(segment).Append(']');
                node = index < array.Count ? array[index] : null;
            }
            else
            {
                if (path.Length > 0) path.Append('.');
                path.Append(segment);
                node = node is JsonObject o ? o[segment] : null;
            }
        }
        return path.ToString();
    }

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";
}
