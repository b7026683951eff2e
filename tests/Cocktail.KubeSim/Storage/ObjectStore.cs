using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Storage;

/// <summary>
/// The cluster's etcd: objects by storage key (group/resource) and namespace/name, one cluster-wide resourceVersion
/// counter, and a bounded history of changes that watches resume from. Every mutation happens under <see cref="Gate"/>
/// so the registry layer can read, admit and write atomically, as etcd's transactions let the apiserver do.
/// </summary>
public sealed class ObjectStore(int historyCapacity)
{
    readonly Dictionary<string, SortedDictionary<string, StoredObject>> _byStorageKey = new(StringComparer.Ordinal);
    readonly WatchHistory _history = new(historyCapacity);
    long _resourceVersion = 1;

    public object Gate { get; } = new();

    public long CurrentResourceVersion { get { lock (Gate) return _resourceVersion; } }

    public WatchHistory History => _history;

    static string KeyOf(string ns, string name) => ns.Length == 0 ? name : ns + "/" + name;

    SortedDictionary<string, StoredObject> Bucket(string storageKey)
    {
        if (!_byStorageKey.TryGetValue(storageKey, out var bucket))
            _byStorageKey[storageKey] = bucket = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        return bucket;
    }

    public StoredObject? Get(string storageKey, string ns, string name)
    {
        lock (Gate)
            return _byStorageKey.TryGetValue(storageKey, out var b) && b.TryGetValue(KeyOf(ns, name), out var o) ? o : null;
    }

    /// <summary>A consistent snapshot of one resource (optionally one namespace) in key order, and the revision it is at.</summary>
    public (List<StoredObject> Items, long ResourceVersion) List(string storageKey, string? ns)
    {
        lock (Gate)
        {
            var items = new List<StoredObject>();
            if (_byStorageKey.TryGetValue(storageKey, out var bucket))
            {
                foreach (var o in bucket.Values)
                    if (ns is null || o.Namespace == ns) items.Add(o);
            }
            return (items, _resourceVersion);
        }
    }

    public IEnumerable<string> StorageKeys() { lock (Gate) return _byStorageKey.Keys.ToArray(); }

    /// <summary>Writes the object with a fresh resourceVersion stamped into its metadata; returns the stored version.</summary>
    public StoredObject Put(string storageKey, JsonObject obj)
    {
        lock (Gate)
        {
            var ns = obj.Str("metadata", "namespace") ?? "";
            var name = obj.Str("metadata", "name")!;
            var rv = ++_resourceVersion;
            obj.Obj("metadata")["resourceVersion"] = rv.ToString();
            var stored = new StoredObject(storageKey, ns, name, rv, obj.ToUtf8());
            var bucket = Bucket(storageKey);
            var key = KeyOf(ns, name);
            bucket.TryGetValue(key, out var previous);
            bucket[key] = stored;
            _history.Append(new StoreEvent(previous is null ? "ADDED" : "MODIFIED", stored, previous));
            return stored;
        }
    }

    /// <summary>Removes the object; the DELETED event carries a new resourceVersion like etcd's delete revision.</summary>
    public StoredObject? Remove(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            if (!bucket.Remove(KeyOf(ns, name), out var previous)) return null;
            var rv = ++_resourceVersion;
            var obj = previous.Parse();
            obj.Obj("metadata")["resourceVersion"] = rv.ToString();
            var tombstone = new StoredObject(storageKey, ns, name, rv, obj.ToUtf8());
            _history.Append(new StoreEvent("DELETED", tombstone, previous));
            return tombstone;
        }
    }

    public int Count(string storageKey, string? ns)
    {
        lock (Gate)
        {
            if (!_byStorageKey.TryGetValue(storageKey, out var bucket)) return 0;
            return ns is null ? bucket.Count : bucket.Values.Count(o => o.Namespace == ns);
        }
    }
}
