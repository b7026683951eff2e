using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// A CRD version's openAPIV3Schema compiled once into a tree (k8s.io/apiextensions-apiserver/pkg/apiserver/schema
/// Structural): pruning, defaulting (schema/defaulting), OpenAPI value validation (kube-openapi pkg/validation/validate,
/// errors converted as pkg/apiserver/validation does), embedded resources (schema/objectmeta), list types
/// (schema/listtype) and x-kubernetes-validations (schema/cel) through <see cref="CustomResourceValidation"/>.
/// </summary>
public sealed class StructuralSchema
{
    public string Type { get; private init; } = "";
    public bool Nullable { get; private init; }
    public bool IntOrString { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public string? Format { get; private init; }
    public Dictionary<string, StructuralSchema>? Properties { get; private init; }
    public StructuralSchema? AdditionalProperties { get; private init; }
    public StructuralSchema? Items { get; private init; }
    public string[] Required { get; private init; } = [];
    public JsonNode?[]? Enum { get; private init; }
    public Regex? Pattern { get; private init; }
    public string? PatternText { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public double? MultipleOf { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public string? ListType { get; private init; }
    public string[] ListMapKeys { get; private init; } = [];
    public JsonNode? Default { get; private init; }
    public StructuralSchema[] AllOf { get; private init; } = [];
    public StructuralSchema[] AnyOf { get; private init; } = [];
    public StructuralSchema[] OneOf { get; private init; } = [];
    public StructuralSchema? Not { get; private init; }
    public CelRule[] Rules { get; private init; } = [];

    /// <summary>Whether this node or one below carries a default (defaulting skips subtrees without any).</summary>
    public bool HasDefaults { get; private set; }

    /// <summary>Whether this node or one below carries x-kubernetes-validations the evaluator can run.</summary>
    public bool HasRules { get; private set; }

    /// <summary>Whether this node or one below declares any x-kubernetes-validations, runnable or not (the apiserver then has a CEL validator).</summary>
    public bool DeclaresRules { get; private set; }

    /// <summary>Whether this node or one below is a set/map list or an embedded resource (checked after the OpenAPI pass).</summary>
    public bool HasStructuralChecks { get; private set; }

    public sealed record CelRule(string Rule, string? Message, string? MessageExpression, string? Reason, string? FieldPath, bool IsTransition);

    static readonly ConcurrentDictionary<string, Regex?> Patterns = new();

    public static StructuralSchema Compile(JsonObject node, int depth = 0)
    {
        if (depth > 64) return new StructuralSchema { PreserveUnknownFields = true };
        StructuralSchema? Child(JsonNode? n) => n is JsonObject o ? Compile(o, depth + 1) : null;
        StructuralSchema[] Children(JsonNode? n) => n is JsonArray a ? a.OfType<JsonObject>().Select(o => Compile(o, depth + 1)).ToArray() : [];

        Dictionary<string, StructuralSchema>? properties = null;
        if (node["properties"] is JsonObject props)
        {
            properties = new Dictionary<string, StructuralSchema>(props.Count, StringComparer.Ordinal);
            foreach (var (key, value) in props)
                if (value is JsonObject child) properties[key] = Compile(child, depth + 1);
        }
        var pattern = node.Str("pattern");
        var rules = new List<CelRule>();
        foreach (var rule in node["x-kubernetes-validations"].Objects())
        {
            var text = rule.Str("rule");
            if (text is null || !Admission.CelEvaluator.TryCompile(text)) continue; // rules the evaluator cannot compile are skipped
            var messageExpression = rule.Str("messageExpression");
            if (messageExpression is not null && !Admission.CelEvaluator.TryCompile(messageExpression)) messageExpression = null;
            rules.Add(new CelRule(text, rule.Str("message"), messageExpression, rule.Str("reason"), rule.Str("fieldPath"),
                Regex.IsMatch(text, @"\boldSelf\b")));
        }
        var schema = new StructuralSchema
        {
            Type = node.Str("type") ?? "",
            Nullable = node.Bool("nullable") == true,
            IntOrString = node.Bool("x-kubernetes-int-or-string") == true,
            PreserveUnknownFields = node.Bool("x-kubernetes-preserve-unknown-fields") == true,
            EmbeddedResource = node.Bool("x-kubernetes-embedded-resource") == true,
            Format = node.Str("format"),
            Properties = properties,
            AdditionalProperties = Child(node["additionalProperties"]),
            Items = Child(node["items"]),
            Required = node["required"] is JsonArray req ? req.Select(r => r?.ToString() ?? "").ToArray() : [],
            Enum = node["enum"] is JsonArray e ? e.Select(x => x?.DeepClone()).ToArray() : null,
            PatternText = pattern,
            Pattern = pattern is null ? null : Patterns.GetOrAdd(pattern, p =>
            {
                try { return new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)); }
                catch (ArgumentException) { return null; }
            }),
            Minimum = Number(node["minimum"]),
            Maximum = Number(node["maximum"]),
            ExclusiveMinimum = node.Bool("exclusiveMinimum") == true,
            ExclusiveMaximum = node.Bool("exclusiveMaximum") == true,
            MultipleOf = Number(node["multipleOf"]),
            MinLength = node.Long("minLength"),
            MaxLength = node.Long("maxLength"),
            MinItems = node.Long("minItems"),
            MaxItems = node.Long("maxItems"),
            MinProperties = node.Long("minProperties"),
            MaxProperties = node.Long("maxProperties"),
            ListType = node.Str("x-kubernetes-list-type"),
            ListMapKeys = node["x-kubernetes-list-map-keys"] is JsonArray keys ? keys.Select(k => k?.ToString() ?? "").ToArray() : [],
            Default = node["default"]?.DeepClone(),
            AllOf = Children(node["allOf"]),
            AnyOf = Children(node["anyOf"]),
            OneOf = Children(node["oneOf"]),
            Not = Child(node["not"]),
            Rules = [.. rules],
        };
        var children = (properties?.Values ?? Enumerable.Empty<StructuralSchema>())
            .Concat(new[] { schema.AdditionalProperties, schema.Items }.OfType<StructuralSchema>()).ToList();
        schema.HasDefaults = schema.Default is not null || children.Any(c => c.HasDefaults);
        schema.HasRules = schema.Rules.Length > 0 || children.Any(c => c.HasRules);
        schema.DeclaresRules = node["x-kubernetes-validations"] is JsonArray { Count: > 0 } || children.Any(c => c.DeclaresRules);
        schema.HasStructuralChecks = schema.ListType is "set" or "map" || schema.EmbeddedResource || children.Any(c => c.HasStructuralChecks);
        return schema;
    }

    static double? Number(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    // ---- pruning (structural/pruning/algorithm.go) ----

    /// <summary>Removes undeclared fields; returns their paths. apiVersion, kind and metadata of the root (and of embedded resources) stay.</summary>
    public List<string> Prune(JsonObject obj)
    {
        var unknown = new List<string>();
        PruneObject(obj, this, "", unknown, isRoot: true);
        return unknown;
    }

    static void PruneNode(JsonNode? node, StructuralSchema schema, string path, List<string> unknown)
    {
        switch (node)
        {
            case JsonObject o:
                PruneObject(o, schema, path, unknown, isRoot: false);
                break;
            case JsonArray a when schema.Items is { } items:
                for (var i = 0; i < a.Count; i++) PruneNode(a[i], items, $"{path}[{i}]", unknown);
                break;
        }
    }

    static void PruneObject(JsonObject o, StructuralSchema schema, string path, List<string> unknown, bool isRoot)
    {
        var keepTypeMeta = isRoot || schema.EmbeddedResource;
        if (schema.Properties is null && schema.AdditionalProperties is { } values)
        {
            foreach (var (key, value) in o.ToList()) PruneNode(value, values, $"{path}.{key}", unknown);
            return;
        }
        foreach (var (key, value) in o.ToList())
        {
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (keepTypeMeta && key is "apiVersion" or "kind" or "metadata")
            {
                if (schema.Properties?.TryGetValue(key, out var declared) == true && key != "metadata") PruneNode(value, declared, childPath, unknown);
                continue;
            }
            if (schema.Properties?.TryGetValue(key, out var child) == true) PruneNode(value, child, childPath, unknown);
            else if (!schema.PreserveUnknownFields)
            {
                unknown.Add(childPath);
                o.Remove(key);
            }
        }
    }

    // ---- defaulting (structural/defaulting/algorithm.go, PruneNonNullableNullsWithoutDefaults) ----

    /// <summary>
    /// Fills in defaults as apiextensions does on every decode (request bodies and reads from storage): a property's
    /// default applies when the property is absent (or a non-nullable null) and its parent object exists; nulls of
    /// non-nullable properties without a default are dropped. Returns whether anything changed.
    /// </summary>
    public bool ApplyDefaults(JsonNode? node) => DefaultNode(node, this);

    static bool DefaultNode(JsonNode? node, StructuralSchema schema)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                if (schema.Properties is { } properties)
                {
                    foreach (var (key, prop) in properties)
                    {
                        var present = o.TryGetPropertyValue(key, out var value);
                        if (present && value is not null) continue;
                        if (prop.Default is not null && !(present && prop.Nullable))
                        {
                            o[key] = prop.Default.DeepClone();
                            changed = true;
                        }
                        else if (present && !prop.Nullable)
                        {
                            o.Remove(key);
                            changed = true;
                        }
                    }
                    foreach (var (key, value) in o.ToList())
                        if (properties.TryGetValue(key, out var prop)) changed |= DefaultNode(value, prop);
                }
                else if (schema.AdditionalProperties is { } values)
                {
                    foreach (var (key, value) in o.ToList())
                    {
                        if (value is null && !values.Nullable && values.Default is not null)
                        {
                            o[key] = values.Default.DeepClone();
                            changed = true;
                        }
                        changed |= DefaultNode(o[key], values);
                    }
                }
                break;
            case JsonArray a when schema.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is null && !items.Nullable && items.Default is not null)
                    {
                        a[i] = items.Default.DeepClone();
                        changed = true;
                    }
                    changed |= DefaultNode(a[i], items);
                }
                break;
        }
        return changed;
    }

    // ---- helpers shared with the validator ----

    /// <summary>The JSON type kube-openapi infers for a decoded value (int64 → integer, float64 → number).</summary>
    public static string JsonType(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsIntegerText(v.ToJsonString()) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    static bool IsIntegerText(string text) => !text.Contains('.') && !text.Contains('e') && !text.Contains('E');

    internal static double AsDouble(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
