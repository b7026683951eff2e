using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Patch;

/// <summary>RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else (lists too) replaces.</summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = Apply(result[key] is { } existing ? existing.DeepClone() : null, value);
        }
        return result;
    }
}
