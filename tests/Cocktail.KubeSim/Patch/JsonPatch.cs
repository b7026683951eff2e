using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;

namespace Cocktail.KubeSim.Patch;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers.</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["$"] = document.DeepClone() };
        foreach (var op in operations.OfType<JsonObject>())
        {
            var path = op["path"]?.GetValue<string>() ?? throw ApiException.BadRequest("json patch operation without path");
            switch (op["op"]?.GetValue<string>())
            {
                case "add": Add(root, path, op["value"]?.DeepClone()); break;
                case "remove": Remove(root, path); break;
                case "replace": Remove(root, path); Add(root, path, op["value"]?.DeepClone()); break;
                case "move":
                    var moved = Remove(root, op["from"]!.GetValue<string>());
                    Add(root, path, moved);
                    break;
                case "copy": Add(root, path, Get(root, op["from"]!.GetValue<string>())?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    break;
                default: throw ApiException.BadRequest($"Unexpected kind: {op["op"]}");
            }
        }
        return root["$"]!;
    }

    static (JsonNode Parent, string Key) Resolve(JsonObject root, string pointer)
    {
        var tokens = pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
        JsonNode parent = root;
        var key = "$";
        foreach (var token in tokens)
        {
            parent = Child(parent, key) ?? throw Missing(pointer);
            key = token;
        }
        return (parent, key);
    }

    static JsonNode? Child(JsonNode parent, string key) => parent switch
    {
        JsonObject o => o[key],
        JsonArray a when int.TryParse(key, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    static ApiException Missing(string pointer) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: jsonpatch: missing value for path {pointer}");

    static JsonNode? Get(JsonObject root, string pointer)
    {
        var (parent, key) = Resolve(root, pointer);
        return Child(parent, key);
    }

    static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, key) = Resolve(root, pointer);
        switch (parent)
        {
            case JsonObject o: o[key] = value; break;
            case JsonArray a when key == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(key, out var i) && i >= 0 && i <= a.Count: a.Insert(i, value); break;
            default: throw Missing(pointer);
        }
    }

    static JsonNode? Remove(JsonObject root, string pointer)
    {
        var (parent, key) = Resolve(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(key):
                var value = o[key];
                o.Remove(key);
                return value;
            case JsonArray a when int.TryParse(key, out var i) && i >= 0 && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default: throw Missing(pointer);
        }
    }
}
