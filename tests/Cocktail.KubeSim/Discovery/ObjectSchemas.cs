using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// The built-in kinds' structural schemas from the OpenAPI v3 documents, used like the apiserver's decoder: fields
/// the schema does not declare are dropped (and reported, so fieldValidation=Strict can refuse them and Warn can
/// say so). Maps (additionalProperties), x-kubernetes-preserve-unknown-fields and embedded raw objects keep
/// whatever they hold.
/// </summary>
public static class ObjectSchemas
{
    sealed class Index
    {
        public readonly Dictionary<string, JsonElement> Schemas = new(StringComparer.Ordinal);
        public readonly Dictionary<(string Group, string Version, string Kind), JsonElement> ByKind = [];
    }

    static readonly Lazy<Index> Loaded = new(Load);

    static Index Load()
    {
        var index = new Index();
        foreach (var (path, file) in OpenApiDocuments.FilesByPath)
        {
            var segments = path.Split('/');
            var served = segments switch
            {
                ["api", _] => true,
                ["apis", var g, var v] => BuiltinResources.IsServedGroupVersion(g, v),
                _ => false,
            };
            if (!served) continue;
            var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!doc.RootElement.TryGetProperty("components", out var components) || !components.TryGetProperty("schemas", out var schemas)) continue;
            foreach (var schema in schemas.EnumerateObject())
            {
                index.Schemas.TryAdd(schema.Name, schema.Value);
                if (!schema.Value.TryGetProperty("x-kubernetes-group-version-kind", out var gvks)) continue;
                foreach (var gvk in gvks.EnumerateArray())
                    index.ByKind.TryAdd((gvk.GetProperty("group").GetString()!, gvk.GetProperty("version").GetString()!, gvk.GetProperty("kind").GetString()!), schema.Value);
            }
        }
        return index;
    }

    /// <summary>Removes undeclared fields from <paramref name="obj"/>; returns their paths ("spec.foo"). Unknown kinds are left alone.</summary>
    public static List<string> Prune(ResourceType type, JsonObject obj)
    {
        var unknown = new List<string>();
        if (!Loaded.Value.ByKind.TryGetValue((type.Group, type.Version, type.Kind), out var schema)) return unknown;
        Walk(obj, schema, "", unknown);
        return unknown;
    }

    static JsonElement Resolve(JsonElement schema)
    {
        for (var i = 0; i < 8; i++)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                var name = reference.GetString()!["#/components/schemas/".Length..];
                if (!Loaded.Value.Schemas.TryGetValue(name, out schema)) return default;
                continue;
            }
            if (schema.TryGetProperty("allOf", out var allOf) && allOf.GetArrayLength() == 1)
            {
                schema = allOf[0];
                continue;
            }
            break;
        }
        return schema;
    }

    static void Walk(JsonNode? node, JsonElement schema, string path, List<string> unknown)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object || node is null) return;
        // As the apiextensions pruning (structural/pruning/algorithm.go): x-kubernetes-preserve-unknown-fields keeps the
        // fields a node does not declare, while the fields it declares are still pruned by their own schemas.
        var preserveUnknown = Preserves(schema);
        switch (node)
        {
            case JsonObject o when schema.TryGetProperty("properties", out var properties):
                foreach (var (key, value) in o.ToList())
                {
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (properties.TryGetProperty(key, out var childSchema)) Walk(value, childSchema, childPath, unknown);
                    else if (!preserveUnknown)
                    {
                        unknown.Add(childPath);
                        o.Remove(key);
                    }
                }
                break;
            case JsonObject o when schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object:
                foreach (var (key, value) in o.ToList()) Walk(value, values, $"{path}.{key}", unknown);
                break;
            case JsonArray a when schema.TryGetProperty("items", out var items):
                for (var i = 0; i < a.Count; i++) Walk(a[i], items, $"{path}[{i}]", unknown);
                break;
        }
    }

    static bool Preserves(JsonElement schema) =>
        schema.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var preserve) && preserve.ValueKind == JsonValueKind.True;
}
