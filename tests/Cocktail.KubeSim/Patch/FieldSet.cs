using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Patch;

/// <summary>
/// A set of field paths in the structured-merge-diff "FieldsV1" encoding: <c>f:name</c> for fields,
/// <c>k:{"name":"c"}</c> for keyed list items, <c>v:"x"</c> for set members, <c>.</c> for the node itself.
/// </summary>
public sealed class FieldSet
{
    readonly SortedDictionary<string, FieldSet> _children = new(StringComparer.Ordinal);

    public bool Self { get; private set; }
    public bool IsEmpty => !Self && _children.Count == 0;

    /// <summary>Paths present in the object, ignoring the fields the server owns.</summary>
    public static FieldSet FromObject(JsonObject obj, bool markParents)
    {
        var set = new FieldSet();
        foreach (var (key, value) in obj)
        {
            if (key is "kind" or "apiVersion") continue;
            if (key == "metadata" && value is JsonObject meta)
            {
                var m = new FieldSet();
                foreach (var (mk, mv) in meta)
                {
                    if (mk is "name" or "namespace" or "uid" or "resourceVersion" or "generation" or "creationTimestamp"
                        or "managedFields" or "selfLink" or "deletionTimestamp" or "deletionGracePeriodSeconds" or "generateName") continue;
                    m._children["f:" + mk] = FromValue(mk, mv, markParents);
                }
                if (!m.IsEmpty) set._children["f:metadata"] = m;
                continue;
            }
            set._children["f:" + key] = FromValue(key, value, markParents);
        }
        return set;
    }

    static FieldSet FromValue(string field, JsonNode? value, bool markParents)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0:
                var child = new FieldSet { Self = markParents };
                foreach (var (k, v) in o) child._children["f:" + k] = FromValue(k, v, markParents);
                return child;
            case JsonArray a when a.Count > 0 && MergeKeys.IsScalarSet(field):
                var set = new FieldSet { Self = markParents };
                foreach (var item in a) set._children["v:" + item?.ToJsonString()] = new FieldSet { Self = true };
                return set;
            case JsonArray a when a.Count > 0 && a[0] is JsonObject && MergeKeys.For(field, a) is { } key:
                var list = new FieldSet { Self = markParents };
                foreach (var item in a.OfType<JsonObject>())
                {
                    var itemSet = FromValue(field + "[]", item, markParents);
                    itemSet.Self = true;
                    list._children["k:" + new JsonObject { [key] = item[key]?.DeepClone() }.ToJsonString()] = itemSet;
                }
                return list;
            default:
                return new FieldSet { Self = true };
        }
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is null) return set;
        foreach (var (key, value) in fields)
        {
            if (key == ".") { set.Self = true; continue; }
            var child = FromFieldsV1(value as JsonObject);
            if (child.IsEmpty) child.Self = true;
            set._children[key] = child;
        }
        return set;
    }

    public JsonObject ToFieldsV1()
    {
        var o = new JsonObject();
        if (Self && _children.Count > 0) o["."] = new JsonObject();
        foreach (var (k, v) in _children) o[k] = v.ToFieldsV1();
        return o;
    }

    /// <summary>Leaf paths, e.g. <c>.spec.containers[name="c"].image</c> as conflicts are reported.</summary>
    public IEnumerable<(string Display, string[] Keys)> Leaves(string prefix = "", string[]? keys = null)
    {
        keys ??= [];
        if (Self && _children.Count == 0) yield return (prefix, keys);
        foreach (var (k, v) in _children)
            foreach (var leaf in v.Leaves(prefix + Display(k), [.. keys, k]))
                yield return leaf;
    }

    static string Display(string key) => key[0] switch
    {
        'f' => "." + key[2..],
        'k' => "[" + string.Join(",", (JsonNode.Parse(key[2..]) as JsonObject ?? []).Select(p => $"{p.Key}={p.Value?.ToJsonString()}")) + "]",
        'v' => "[" + key[2..] + "]",
        _ => key,
    };

    public bool ContainsPath(string[] keys)
    {
        var node = this;
        foreach (var k in keys)
        {
            if (!node._children.TryGetValue(k, out var next)) return false;
            node = next;
        }
        return true;
    }

    public void RemovePath(string[] keys)
    {
        if (keys.Length == 0) return;
        if (!_children.TryGetValue(keys[0], out var child)) return;
        if (keys.Length == 1) { _children.Remove(keys[0]); return; }
        child.RemovePath(keys[1..]);
        if (child._children.Count == 0) _children.Remove(keys[0]);
    }

    public void AddPath(string[] keys)
    {
        var node = this;
        foreach (var k in keys)
        {
            if (!node._children.TryGetValue(k, out var next)) node._children[k] = next = new FieldSet();
            node = next;
        }
        node.Self = true;
    }

    /// <summary>The value at a path in an object, following keyed list items.</summary>
    public static JsonNode? ValueAt(JsonNode? node, string[] keys)
    {
        foreach (var k in keys)
        {
            node = k[0] switch
            {
                'f' => (node as JsonObject)?[k[2..]],
                'k' => (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(i => Matches(i, k[2..])),
                'v' => (node as JsonArray)?.FirstOrDefault(i => i?.ToJsonString() == k[2..]),
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    static bool Matches(JsonObject item, string keyJson) =>
        JsonNode.Parse(keyJson) is JsonObject key && key.All(p => JsonNode.DeepEquals(item[p.Key], p.Value));
}
