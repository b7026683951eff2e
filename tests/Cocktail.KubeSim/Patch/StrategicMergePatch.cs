using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;

namespace Cocktail.KubeSim.Patch;

/// <summary>
/// Strategic merge patch for the built-in kinds: like a merge patch, except lists with a merge key merge item by
/// item (containers by name, env by name...), and the <c>$patch: delete|replace</c>,
/// <c>$deleteFromPrimitiveList/field</c> and <c>$setElementOrder/field</c> directives are honoured.
/// </summary>
public static class StrategicMergePatch
{
    public static JsonObject Apply(JsonObject target, JsonObject patch) => MergeObject(target.CloneObject(), patch);

    static JsonObject CloneObject(this JsonObject o) => (JsonObject)o.DeepClone();

    static JsonObject MergeObject(JsonObject target, JsonObject patch)
    {
        if (patch["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = patch.CloneObject();
            replaced.Remove("$patch");
            return replaced;
        }
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key == "$retainKeys" || key == "$patch") continue;
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (target[field] is JsonArray list && value is JsonArray remove)
                    foreach (var r in remove)
                        foreach (var item in list.Where(i => JsonNode.DeepEquals(i, r)).ToList()) list.Remove(item);
                continue;
            }
            if (value is null) { target.Remove(key); continue; }
            target[key] = MergeValue(key, target[key], value);
        }
        return target;
    }

    static JsonNode? MergeValue(string field, JsonNode? current, JsonNode patch)
    {
        switch (patch)
        {
            case JsonObject po when po["$patch"]?.GetValue<string>() == "delete":
                return null;
            case JsonObject po:
                return MergeObject(current as JsonObject ?? new JsonObject(), po);
            case JsonArray pa:
                return MergeList(field, current as JsonArray, pa);
            default:
                return patch.DeepClone();
        }
    }

    static JsonArray MergeList(string field, JsonArray? current, JsonArray patch)
    {
        if (patch.OfType<JsonObject>().Any(o => o["$patch"]?.GetValue<string>() == "replace"))
            return new JsonArray(patch.OfType<JsonObject>().Where(o => o["$patch"] is null).Select(o => (JsonNode)o.DeepClone()).ToArray());
        if (MergeKeys.IsScalarSet(field))
        {
            var merged = current?.DeepClone() as JsonArray ?? new JsonArray();
            foreach (var item in patch)
                if (!merged.Any(m => JsonNode.DeepEquals(m, item))) merged.Add(item?.DeepClone());
            return merged;
        }
        var key = MergeKeys.For(field, current is { Count: > 0 } ? current : patch);
        if (key is null || current is null) return Strip((JsonArray)patch.DeepClone());
        var result = (JsonArray)current.DeepClone();
        foreach (var patchItem in patch.OfType<JsonObject>())
        {
            var keyValue = patchItem[key];
            if (keyValue is null) throw ApiException.BadRequest($"map: {patchItem.ToJsonString()} does not contain declared merge key: {key}");
            var existing = result.OfType<JsonObject>().FirstOrDefault(i => JsonNode.DeepEquals(i[key], keyValue));
            if (patchItem["$patch"]?.GetValue<string>() == "delete")
            {
                if (existing is not null) result.Remove(existing);
                continue;
            }
            if (existing is null) result.Add(Strip(patchItem.CloneObject()));
            else
            {
                var index = result.IndexOf(existing);
                result[index] = MergeObject(existing.CloneObject(), patchItem);
            }
        }
        return result;
    }

    static T Strip<T>(T node) where T : JsonNode
    {
        if (node is JsonObject o)
        {
            foreach (var k in o.Select(p => p.Key).Where(k => k.StartsWith('$')).ToList()) o.Remove(k);
            foreach (var (_, v) in o) if (v is not null) Strip(v);
        }
        else if (node is JsonArray a)
            foreach (var v in a) if (v is not null) Strip(v);
        return node;
    }
}
