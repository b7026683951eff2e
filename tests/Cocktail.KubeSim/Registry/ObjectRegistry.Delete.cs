using System.Text.Json.Nodes;
using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>
    /// DELETE: preconditions, then either an immediate removal or a graceful one (finalizers, foreground/orphan
    /// propagation, pods on a node, namespaces) that only sets deletionTimestamp. Returns what the apiserver
    /// returns: the object while it lingers (and, for pods and services, even once gone), else a success Status.
    /// </summary>
    public JsonObject Delete(ResourceType type, string ns, string name, DeleteOptions options)
    {
        lock (store.Gate)
        {
            ns = type.Namespaced ? ns : "";
            var existing = store.Get(type.StorageKey, ns, name)?.Parse() ?? throw ApiException.NotFound(type.Group, type.Resource, name);
            if (options.PreconditionUid is { } uid && uid != existing.Uid())
                throw ApiException.Conflict(type.Group, type.Resource, name,
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid()}");
            if (options.PreconditionResourceVersion is { } rv && rv != existing.Str("metadata", "resourceVersion"))
                throw ApiException.Conflict(type.Group, type.Resource, name,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {existing.Str("metadata", "resourceVersion")}");
            admission().Run(new AdmissionRequest(type, "DELETE", "", ns, name, null, existing, options.Write.User, options.Write.DryRun));
            if (options.Write.DryRun) return ToApi(type, existing);

            var deferred = existing.CloneObject();
            var finalizers = deferred.Finalizers();
            switch (options.PropagationPolicy)
            {
                case "Foreground" when !finalizers.Contains("foregroundDeletion"): finalizers.Add("foregroundDeletion"); break;
                case "Orphan" when !finalizers.Contains("orphan"): finalizers.Add("orphan"); break;
            }
            var graceful = type.StorageKey == "/pods" && IsGracefulPodDeletion(existing, options);
            var namespaceTermination = type.StorageKey == "/namespaces";
            if (finalizers.Count > 0 || graceful || namespaceTermination)
            {
                if (existing.IsDeleting() && !graceful && finalizers.SequenceEqual(existing.Finalizers()))
                    return ToApi(type, existing);
                deferred.SetFinalizers(finalizers);
                var meta = deferred.Meta();
                if (!existing.IsDeleting())
                {
                    var grace = graceful ? options.GracePeriodSeconds ?? deferred.Long("spec", "terminationGracePeriodSeconds") ?? 30 : 0;
                    meta["deletionTimestamp"] = ObjectMetadata.Timestamp(time.GetUtcNow().AddSeconds(grace));
                    meta["deletionGracePeriodSeconds"] = grace;
                }
                if (namespaceTermination)
                {
                    deferred.Obj("status")["phase"] = "Terminating";
                }
                var stored = store.Put(type.StorageKey, deferred);
                return ToApi(type, stored.Parse());
            }
            var tombstone = store.Remove(type.StorageKey, ns, name)!.Parse();
            AfterDelete(type, tombstone);
            return ReturnsDeletedObject(type) ? ToApi(type, tombstone) : SuccessStatus(type, tombstone);
        }
    }

    /// <summary>A pod bound to a node is deleted gracefully: the kubelet stops it and then removes it.</summary>
    static bool IsGracefulPodDeletion(JsonObject pod, DeleteOptions options) =>
        pod.Str("spec", "nodeName") is { Length: > 0 } && options.GracePeriodSeconds is not 0 &&
        pod.Str("status", "phase") is not ("Succeeded" or "Failed");

    /// <summary>Removes an object whose finalizers are done, bypassing graceful deletion (what kubelet's final delete does).</summary>
    public void DeleteNow(ResourceType type, string ns, string name)
    {
        lock (store.Gate)
        {
            var tombstone = store.Remove(type.StorageKey, type.Namespaced ? ns : "", name);
            if (tombstone is not null) AfterDelete(type, tombstone.Parse());
        }
    }

    static bool ReturnsDeletedObject(ResourceType type) => type.StorageKey is "/pods" or "/services";

    static JsonObject SuccessStatus(ResourceType type, JsonObject deleted)
    {
        var details = new JsonObject { ["name"] = deleted.Name() };
        if (type.Group.Length > 0) details["group"] = type.Group;
        details["kind"] = type.Resource;
        details["uid"] = deleted.Uid();
        return new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Success", ["details"] = details,
        };
    }

    /// <summary>DELETE on a collection: every object matching the selectors, each deleted as if alone.</summary>
    public JsonObject DeleteCollection(ResourceType type, string ns, ListOptions list, DeleteOptions options)
    {
        var result = List(type, ns, list with { Limit = 0, Continue = null });
        foreach (var item in result["items"].Objects())
        {
            try { Delete(type, item.Namespace(), item.Name(), options); }
            catch (ApiException e) when (e.Code == 404) { }
        }
        result["items"] = new JsonArray();
        return result;
    }
}
