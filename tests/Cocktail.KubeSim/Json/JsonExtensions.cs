using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Json;

/// <summary>Terse navigation over JsonNode trees: Kubernetes objects are deep and mostly optional.</summary>
public static class JsonExtensions
{
    /// <summary>Like Go's encoder, leave '+' and non-ASCII readable rather than \u-escaping them.</summary>
    static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var p in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(p, out node)) return null;
        }
        return node;
    }

    public static string? Str(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? Long(this JsonNode? node, params string[] path)
    {
        if (node.At(path) is not JsonValue v) return null;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d)) return (long)d;
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var el)) return el;
        return null;
    }

    public static bool? Bool(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>The child object at <paramref name="name"/>, created when absent.</summary>
    public static JsonObject Obj(this JsonObject o, string name)
    {
        if (o[name] is JsonObject child) return child;
        child = new JsonObject();
        o[name] = child;
        return child;
    }

    public static JsonArray Arr(this JsonObject o, string name)
    {
        if (o[name] is JsonArray child) return child;
        child = new JsonArray();
        o[name] = child;
        return child;
    }

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) =>
        node is JsonArray a ? a.OfType<JsonObject>() : [];

    public static Dictionary<string, string> StringMap(this JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject o)
            foreach (var (k, v) in o)
                if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) map[k] = s;
        return map;
    }

    public static byte[] ToUtf8(this JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Compact);

    public static JsonObject CloneObject(this JsonObject o) => (JsonObject)o.DeepClone();

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8) =>
        JsonNode.Parse(utf8) as JsonObject ?? throw new JsonException("expected a JSON object");

    public static JsonObject ParseObject(string text) =>
        JsonNode.Parse(text) as JsonObject ?? throw new JsonException("expected a JSON object");
}
