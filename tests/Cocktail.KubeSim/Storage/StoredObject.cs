using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Storage;

/// <summary>
/// One version of one object. Kept as UTF-8 JSON rather than a node tree: a JsonObject costs ten times the
/// memory, and hundreds of clusters live in one process.
/// </summary>
public sealed class StoredObject(string storageKey, string @namespace, string name, long resourceVersion, byte[] json)
{
    public string StorageKey { get; } = storageKey;
    public string Namespace { get; } = @namespace;
    public string Name { get; } = name;
    public long ResourceVersion { get; } = resourceVersion;
    public byte[] Json { get; } = json;

    public JsonObject Parse() => (JsonObject)JsonNode.Parse(Json)!;
}

/// <summary>What a watch sees: ADDED, MODIFIED or DELETED with the object after the change (and before, for selectors).</summary>
public sealed record StoreEvent(string Type, StoredObject Object, StoredObject? Previous)
{
    public long ResourceVersion => Object.ResourceVersion;
}
