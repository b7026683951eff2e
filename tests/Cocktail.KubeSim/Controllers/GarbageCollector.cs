using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The garbage collector: dependents whose owners are all gone are deleted (background propagation); an owner
/// deleted with Foreground keeps its foregroundDeletion finalizer until its dependents are gone; with Orphan, the
/// dependents lose their owner reference and the owner's orphan finalizer is removed.
/// </summary>
internal sealed class GarbageCollector(ClusterRuntime cluster) : Controller(cluster)
{
    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        var obj = change.Object;
        if (change.Type == "DELETED") yield return $"gone|{obj.StorageKey}|{obj.Namespace}|{obj.Name}|{obj.Parse().Uid()}";
        else if (change.Type == "MODIFIED" && obj.Parse() is var parsed && parsed.IsDeleting() &&
                 parsed.Finalizers().Any(f => f is "foregroundDeletion" or "orphan"))
            yield return $"owner|{obj.StorageKey}|{obj.Namespace}|{obj.Name}|{parsed.Uid()}";
        if (change.Type == "DELETED" && obj.Parse().At("metadata", "ownerReferences").Objects()
                .FirstOrDefault(r => r.Bool("blockOwnerDeletion") == true) is { } blocked)
            yield return $"dependent-gone|{obj.Namespace}|{blocked.Str("uid")}";
    }

    public override void Reconcile(string key)
    {
        var parts = key.Split('|');
        switch (parts[0])
        {
            case "gone":
                DeleteOrphans(parts[2], parts[4]);
                break;
            case "owner":
                FinishOwnerDeletion(parts[1], parts[2], parts[3], parts[4]);
                break;
            case "dependent-gone":
                foreach (var storageKey in Cluster.Store.StorageKeys())
                    foreach (var o in Cluster.Store.List(storageKey, null).Items)
                        if (o.Parse() is var p && p.Uid() == parts[2] && p.IsDeleting())
                            FinishOwnerDeletion(storageKey, o.Namespace, o.Name, parts[2]);
                break;
        }
    }

    IEnumerable<(Discovery.ResourceType Type, JsonObject Object)> Dependents(string ns, string ownerUid)
    {
        foreach (var storageKey in Cluster.Store.StorageKeys())
        {
            var type = Cluster.Catalog.All.FirstOrDefault(t => t.StorageKey == storageKey);
            if (type is null) continue;
            foreach (var stored in Cluster.Store.List(storageKey, null).Items)
            {
                if (type.Namespaced && ns.Length > 0 && stored.Namespace != ns) continue;
                var obj = stored.Parse();
                if (obj.At("metadata", "ownerReferences").Objects().Any(r => r.Str("uid") == ownerUid)) yield return (type, obj);
            }
        }
    }

    void DeleteOrphans(string ns, string ownerUid)
    {
        foreach (var (type, dependent) in Dependents(ns, ownerUid).ToList())
        {
            if (dependent.IsDeleting()) continue;
            var remainingOwners = dependent.At("metadata", "ownerReferences").Objects()
                .Where(r => r.Str("uid") != ownerUid && OwnerExists(dependent.Namespace(), r)).ToList();
            if (remainingOwners.Count > 0) continue;
            try
            {
                Cluster.Registry.Delete(type, dependent.Namespace(), dependent.Name(),
                    new DeleteOptions(WriteOptions.Internal("generic-garbage-collector")) { PropagationPolicy = "Background" });
            }
            catch (Http.ApiException) { }
        }
    }

    bool OwnerExists(string ns, JsonObject reference)
    {
        var type = Cluster.Catalog.FindByApiVersionKind(reference.Str("apiVersion") ?? "", reference.Str("kind") ?? "");
        if (type is null) return false;
        var owner = Cluster.Registry.TryGet(type, type.Namespaced ? ns : "", reference.Str("name") ?? "");
        return owner is not null && owner.Uid() == reference.Str("uid");
    }

    void FinishOwnerDeletion(string storageKey, string ns, string name, string uid)
    {
        var type = Cluster.Catalog.All.FirstOrDefault(t => t.StorageKey == storageKey);
        if (type is null) return;
        var owner = Cluster.Registry.TryGet(type, ns, name);
        if (owner is null || owner.Uid() != uid || !owner.IsDeleting()) return;
        var finalizers = owner.Finalizers();
        var dependents = Dependents(ns, uid).ToList();
        if (finalizers.Contains("orphan"))
        {
            foreach (var (dependentType, dependent) in dependents)
                Cluster.Registry.Mutate(dependentType, dependent.Namespace(), dependent.Name(), WriteOptions.Internal("generic-garbage-collector"), "", d =>
                {
                    var refs = d.At("metadata", "ownerReferences").Objects().Where(r => r.Str("uid") != uid).Select(r => (JsonNode)r.DeepClone()).ToArray();
                    if (refs.Length == 0) d.Meta().Remove("ownerReferences"); else d.Meta()["ownerReferences"] = new JsonArray(refs);
                    d.Meta().Remove("resourceVersion");
                    return d;
                });
            RemoveFinalizer(type, owner, "orphan");
            return;
        }
        if (!finalizers.Contains("foregroundDeletion")) return;
        var blocking = dependents.Where(d => d.Object.At("metadata", "ownerReferences").Objects()
            .Any(r => r.Str("uid") == uid && r.Bool("blockOwnerDeletion") == true)).ToList();
        foreach (var (dependentType, dependent) in dependents.Where(d => !d.Object.IsDeleting()))
        {
            try
            {
                Cluster.Registry.Delete(dependentType, dependent.Namespace(), dependent.Name(),
                    new DeleteOptions(WriteOptions.Internal("generic-garbage-collector")) { PropagationPolicy = "Foreground" });
            }
            catch (Http.ApiException) { }
        }
        if (blocking.Count == 0) RemoveFinalizer(type, owner, "foregroundDeletion");
    }

    void RemoveFinalizer(Discovery.ResourceType type, JsonObject owner, string finalizer) =>
        Cluster.Registry.Mutate(type, owner.Namespace(), owner.Name(), WriteOptions.Internal("generic-garbage-collector"), "", o =>
        {
            o.SetFinalizers(o.Finalizers().Where(f => f != finalizer));
            o.Meta().Remove("resourceVersion");
            return o;
        });
}
