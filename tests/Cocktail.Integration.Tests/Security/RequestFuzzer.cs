using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Security;

/// <summary>One request to send: which operation, what was done to it, and the request itself.</summary>
public sealed record FuzzCase(OpenApiOperation Operation, string Mutation, string Url, string? Body, string ContentType = "application/json");

/// <summary>
/// Builds, from an operation's OpenAPI description, a plausible request with real ids and then the malformed
/// variants of it: one thing wrong at a time, so that a failure names what caused it. Deterministic: the only
/// randomness is a seeded <see cref="Random"/>.
/// </summary>
public sealed class RequestFuzzer(OpenApiOperations api, IReadOnlyDictionary<string, string> ids, string kubeconfig, int seed = 10)
{
    public const int Deep = 10_000;
    private static readonly string ZeroGuid = Guid.Empty.ToString();
    private readonly Random _random = new(seed);
    // Stands for 10,000 nested arrays in a field, spliced into the text: no JsonNode could hold it without deep recursion.
    private const string DeepMarker = "\u0001deep\u0001";
    private const string QuotedDeepMarker = "\"\\u0001deep\\u0001\"";
    private static readonly string DeepArrays = new string('[', Deep) + new string(']', Deep);
    private int _unique;

    public static readonly string ValidYaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: fuzzed
        spec:
          replicas: 1
          template:
            spec:
              containers:
                - name: web
                  image: registry.example.com/shop/web:1.0
        """;

    /// <summary>YAML that a parser without bounds recurses into, or expands exponentially.</summary>
    public static IEnumerable<(string Name, string Yaml)> HostileYaml()
    {
        yield return ("yaml nested 10,000 flow sequences", new string('[', Deep) + new string(']', Deep));
        yield return ("yaml nested 10,000 flow mappings", string.Concat(Enumerable.Repeat("{a: ", Deep)) + "1" + new string('}', Deep));
        var laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            var previous = (char)('a' + i - 1);
            laughs.Append(CultureInfo.InvariantCulture, $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(",", Enumerable.Repeat("*" + previous, 9))}]\n");
        }
        yield return ("yaml billion laughs", laughs.ToString());
        yield return ("yaml null", "null");
        yield return ("yaml scalar", "just words");
        yield return ("yaml list", "- a\n- b");
        yield return ("yaml without kind", "apiVersion: v1\nmetadata: {name: x}");
        yield return ("yaml kind of the wrong type", "apiVersion: [v1]\nkind: {a: 1}");
        yield return ("yaml unknown alias", "a: *nowhere");
        yield return ("yaml empty documents", "---\n---\n");
        yield return ("yaml with U+0000", "a: \"\0\"");
    }

    public IEnumerable<FuzzCase> Cases(OpenApiOperation op)
    {
        var valid = ValidBody(op);
        var url = Url(op, _ => null, _ => null);

        foreach (var parameter in op.InPath)
            foreach (var (mutation, value) in BadPathValues())
                yield return new FuzzCase(op, $"path {parameter.Name} = {mutation}", Url(op, p => p == parameter ? value : null, _ => null), valid?.ToJsonString());

        foreach (var parameter in op.InQuery)
            foreach (var (mutation, value) in BadQueryValues())
                yield return new FuzzCase(op, $"query {parameter.Name} = {mutation}", Url(op, _ => null, p => p == parameter ? value : null), valid?.ToJsonString());

        if (op.BodySchema is null) yield break;

        yield return new FuzzCase(op, "valid body", url, valid?.ToJsonString());
        foreach (var (mutation, body) in WholeBodies())
            yield return new FuzzCase(op, mutation, url, body);
        // Three 1 MB strings: as large as a string gets while the body stays under the 4 MiB limit and reaches validation.
        var huge = 0;
        yield return new FuzzCase(op, "three strings of 1 MB", url,
            valid is null ? null : Replace(valid.DeepClone(), v => v is string && huge++ < 3 ? new string('x', 1024 * 1024) : null).ToJsonString());

        if (valid is not JsonObject) yield break;
        foreach (var (path, schema) in Fields(api.Resolve(op.BodySchema), "", 0).Take(60))
            foreach (var (mutation, value, remove) in BadFieldValues(path, schema))
            {
                var body = (JsonObject)valid.DeepClone();
                Set(body, path, value, remove);
                yield return new FuzzCase(op, $"{path} = {mutation}", url, body.ToJsonString().Replace(QuotedDeepMarker, DeepArrays));
            }
    }

    public string Url(OpenApiOperation op, Func<OpenApiParameter, string?> path, Func<OpenApiParameter, string?> query)
    {
        var url = op.Path;
        foreach (var p in op.InPath)
            url = url.Replace("{" + p.Name + "}", path(p) ?? IdFor(op, p.Name));
        var pairs = op.InQuery.Select(p => (p, value: query(p))).Where(q => q.value is not null).Select(q => $"{q.p.Name}={q.value}").ToList();
        return pairs.Count == 0 ? url : url + "?" + string.Join("&", pairs);
    }

    private string IdFor(OpenApiOperation op, string parameter)
    {
        var segments = op.Path.Split('/');
        var at = Array.IndexOf(segments, "{" + parameter + "}");
        var resource = parameter switch
        {
            "clusterId" => "clusters",
            "userId" => "members",
            "streamId" => "streams",
            "auditId" => "audit",
            _ => at > 0 ? segments[at - 1] : "",
        };
        return ids.TryGetValue(resource, out var id) ? id : Guid.CreateVersion7().ToString();
    }

    private static IEnumerable<(string, string)> BadPathValues() =>
    [
        ("all-zero guid", ZeroGuid), ("not a guid", "not-a-guid"), ("U+0000", "%00"), ("-1", "-1"),
        ("int.MaxValue", int.MaxValue.ToString(CultureInfo.InvariantCulture)), ("4,000 chars", new string('a', 4000)),
    ];

    private static IEnumerable<(string, string)> BadQueryValues() =>
    [
        ("int.MaxValue", "2147483647"), ("-1", "-1"), ("0", "0"), ("1e308", "1e308"), ("-2147483649", "-2147483649"),
        ("U+0000", "a%00b"), ("CR/LF", "a%0D%0Ab"), ("all-zero guid", ZeroGuid), ("not a guid", "not-a-guid"),
        ("4,000 chars", new string('a', 4000)), ("empty", ""),
    ];

    private static IEnumerable<(string, string)> WholeBodies()
    {
        yield return ("body null", "null");
        yield return ("body []", "[]");
        yield return ("body string", "\"x\"");
        yield return ("body number", "1e308");
        yield return ("body {}", "{}");
        yield return ("body truncated", "{\"a\":");
        yield return ("body not json", "not json");
        yield return ("body 10,000 nested arrays", new string('[', Deep) + new string(']', Deep));
        yield return ("body 10,000 nested objects", string.Concat(Enumerable.Repeat("{\"a\":", Deep)) + "1" + new string('}', Deep));
        yield return ("body U+0000 in a property name", "{\"a\\u0000\":1}");
    }

    private IEnumerable<(string Mutation, JsonNode? Value, bool Remove)> BadFieldValues(string path, JsonObject? schema)
    {
        var type = TypeOf(schema);
        yield return ("missing", null, true);
        yield return ("null", null, false);
        yield return ("wrong type", type is "string" ? JsonValue.Create(12345) : JsonValue.Create("wrong type"), false);
        yield return ("10,000 nested arrays", JsonValue.Create(DeepMarker), false);
        switch (type)
        {
            case "integer" or "number":
                yield return ("int.MaxValue", JsonValue.Create(int.MaxValue), false);
                yield return ("-1", JsonValue.Create(-1), false);
                yield return ("1e308", JsonNode.Parse("1e308"), false);
                yield return ("-1e308", JsonNode.Parse("-1e308"), false);
                yield return ("long.MaxValue", JsonValue.Create(long.MaxValue), false);
                break;
            case "string":
                yield return ("U+0000", JsonValue.Create("a\0b"), false);
                yield return ("CR/LF", JsonValue.Create("a\r\nb"), false);
                yield return ("all-zero guid", JsonValue.Create(ZeroGuid), false);
                yield return ("not a guid", JsonValue.Create("not-a-guid"), false);
                yield return ("empty", JsonValue.Create(""), false);
                if (Leaf(path) is "yaml" or "kubeconfig")
                    foreach (var (name, yaml) in HostileYaml()) yield return (name, JsonValue.Create(yaml), false);
                break;
            case "array":
                yield return ("10,000 items", new JsonArray(Enumerable.Range(0, 10_000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()), false);
                break;
            case "object":
                yield return ("1,000 keys with U+0000", new JsonObject(Enumerable.Range(0, 1000).Select(i =>
                    KeyValuePair.Create<string, JsonNode?>($"k{i}\0", JsonValue.Create("v")))), false);
                break;
        }
    }

    /// <summary>Every property of the body's schema and of its objects, as dotted paths (two levels).</summary>
    private IEnumerable<(string Path, JsonObject? Schema)> Fields(JsonObject? schema, string prefix, int depth)
    {
        if (schema?["properties"] is not JsonObject properties || depth > 1) yield break;
        foreach (var (name, property) in properties)
        {
            var resolved = api.Resolve(Unwrap(property));
            yield return (prefix + name, resolved);
            if (TypeOf(resolved) == "object")
                foreach (var inner in Fields(resolved, prefix + name + ".", depth + 1)) yield return inner;
        }
    }

    public JsonNode? ValidBody(OpenApiOperation op) => op.BodySchema is null ? null : Example(api.Resolve(op.BodySchema), "", 0);

    private JsonNode? Example(JsonObject? schema, string name, int depth)
    {
        if (schema is null || depth > 6) return null;
        if (schema["enum"] is JsonArray values && values.FirstOrDefault(v => v is not null) is { } first) return first.DeepClone();
        switch (TypeOf(schema))
        {
            case "object":
                var o = new JsonObject();
                if (schema["properties"] is JsonObject properties)
                    foreach (var (key, property) in properties)
                        o[key] = Example(api.Resolve(Unwrap(property)), key, depth + 1);
                else if (schema["additionalProperties"] is JsonObject) o["fuzz"] = "1";
                return o;
            case "array":
                var item = Example(api.Resolve(Unwrap(schema["items"])), name, depth + 1);
                return item is null ? new JsonArray() : new JsonArray(item);
            case "integer" or "number":
                return JsonValue.Create(name switch { "expiresInDays" => 7, "durationHours" => 1, "port" or "containerPort" or "targetPort" or "servicePort" => 8080, _ => 1 });
            case "boolean":
                return JsonValue.Create(false);
            case "string":
                return JsonValue.Create(StringExample(schema, name));
            default:
                return null;
        }
    }

    private string StringExample(JsonObject schema, string name)
    {
        var format = (string?)schema["format"];
        if (format == "uuid" || name.EndsWith("Id", StringComparison.Ordinal))
            return ids.TryGetValue(name switch
            {
                "clusterId" => "clusters", "workspaceId" => "workspaces", "userId" => "members", "serviceMapId" => "service-maps",
                "workloadId" => "workloads", "grantId" => "access-grants", _ => "",
            }, out var id) ? id : ids["clusters"];
        if (format == "date-time") return DateTimeOffset.UtcNow.AddHours(2).ToString("O");
        if (format == "date-span") return "01:00:00";
        return name switch
        {
            "name" or "userName" or "namespace" => $"fz{++_unique}-{_random.Next(100_000, 999_999)}",
            "password" or "currentPassword" or "newPassword" => "a-long-enough-password",
            "kubeconfig" => kubeconfig,
            "yaml" => ValidYaml,
            "image" => "registry.example.com/shop/web:1.0",
            "cpu" => "100m", "memory" => "64Mi", "gpu" => "0", "storage" => "1Gi", "pods" => "10",
            "color" => "#336699",
            "host" => "fuzz.example.com", "path" or "httpPath" or "mountPath" => "/",
            "confirm" => "",
            _ => "fuzz",
        };
    }

    private static JsonNode? Unwrap(JsonNode? schema) =>
        schema is JsonObject o && (o["oneOf"] ?? o["anyOf"] ?? o["allOf"]) is JsonArray options
            ? options.FirstOrDefault(x => TypeOf(x as JsonObject) != "null") ?? schema
            : schema;

    private static string? TypeOf(JsonObject? schema) => schema?["type"] switch
    {
        JsonValue v => (string?)v,
        JsonArray a => a.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
        _ => schema?["properties"] is not null ? "object" : schema?["$ref"] is not null ? "object" : null,
    };

    private static string Leaf(string path) => path.Split('.').Last();

    private static void Set(JsonObject body, string path, JsonNode? value, bool remove)
    {
        var parts = path.Split('.');
        JsonNode? node = body;
        foreach (var part in parts[..^1]) node = node?[part];
        if (node is not JsonObject parent) return;
        if (remove) parent.Remove(parts[^1]);
        else parent[parts[^1]] = value;
    }

    private static JsonNode Replace(JsonNode node, Func<object, string?> replace)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (o[key] is { } child && Replace(child, replace) is var changed && !ReferenceEquals(changed, child)) o[key] = changed;
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } child && Replace(child, replace) is var changed && !ReferenceEquals(changed, child)) a[i] = changed;
                return a;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return replace(s) is { } r ? JsonValue.Create(r) : v;
            default:
                return node;
        }
    }
}
