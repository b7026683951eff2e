using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>The pod a controller created, or why admission refused it.</summary>
internal sealed record PodCreation(JsonObject? Pod, ApiException? Failure);

/// <summary>Shared by the workload controllers: owned-object lookup and pod creation from a template.</summary>
internal static class Workloads
{
    /// <summary>Objects in <paramref name="ns"/> whose controller reference points at <paramref name="ownerUid"/>.</summary>
    public static List<JsonObject> OwnedBy(ClusterRuntime cluster, string storageKey, string ns, string ownerUid) =>
        cluster.Store.List(storageKey, ns).Items.Select(o => o.Parse())
            .Where(o => o.ControllerOf() is { } owner && owner.Str("uid") == ownerUid).ToList();

    public static bool IsActive(JsonObject pod) => !pod.IsDeleting() && !PodResources.IsTerminal(pod);

    /// <summary>The controller owner's key ("ns/name") when it is of <paramref name="kind"/>.</summary>
    public static string? OwnerKey(StoredObject obj, string kind)
    {
        var owner = obj.Parse().ControllerOf();
        return owner?.Str("kind") == kind ? $"{obj.Namespace}/{owner.Str("name")}" : null;
    }

    /// <summary>
    /// Creates a pod from <paramref name="template"/> owned by <paramref name="owner"/>. Returns the admission
    /// failure (quota, Pod Security...) instead of throwing, since controllers report it as events and conditions.
    /// </summary>
    public static PodCreation CreatePod(ClusterRuntime cluster, JsonObject owner, string ownerKind, string ownerApiVersion, JsonObject template,
        string? name, string? generateName, Action<JsonObject>? customize, string fieldManager)
    {
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (name is not null) meta["name"] = name; else meta["generateName"] = generateName;
        meta["namespace"] = owner.Namespace();
        meta["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(owner, ownerApiVersion, ownerKind));
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
        customize?.Invoke(pod);
        try
        {
            return new PodCreation(cluster.Registry.Create(cluster.Type("", "pods"), owner.Namespace(), pod, WriteOptions.Internal(fieldManager)), null);
        }
        catch (ApiException e) when (e.Code is 403 or 422 or 409)
        {
            return new PodCreation(null, e);
        }
    }

    public static void SetCondition(JsonObject obj, string type, string status, string reason, string message, string now, bool touchUpdate = true)
    {
        var conditions = obj.Obj("status").Arr("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        var changed = existing.Str("status") != status || existing.Str("reason") != reason;
        existing["status"] = status;
        if (touchUpdate || changed || existing["lastUpdateTime"] is null) existing["lastUpdateTime"] = now;
        if (changed || existing["lastTransitionTime"] is null) existing["lastTransitionTime"] = now;
        existing["reason"] = reason;
        existing["message"] = message;
    }

    public static void RemoveCondition(JsonObject obj, string type)
    {
        if (obj.At("status", "conditions") is not JsonArray conditions) return;
        foreach (var c in conditions.Objects().Where(c => c.Str("type") == type).ToList()) conditions.Remove(c);
    }

    public static JsonObject WriteStatus(ClusterRuntime cluster, ResourceType type, JsonObject obj, string manager, Action<JsonObject> change) =>
        cluster.Registry.Mutate(type, obj.Namespace(), obj.Name(), WriteOptions.Internal(manager), "status", current =>
        {
            change(current);
            current.Meta().Remove("resourceVersion");
            return current;
        });

    /// <summary>intstr "25%" or 1 resolved against a total, rounding as the deployment controller does.</summary>
    public static int ResolveIntOrPercent(JsonNode? value, int total, bool roundUp, int fallback)
    {
        if (value is null) return fallback;
        var text = value.ToString();
        if (text.EndsWith('%') && int.TryParse(text[..^1], out var percent))
        {
            var exact = total * percent / 100.0;
            return roundUp ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
        }
        return int.TryParse(text, out var n) ? n : fallback;
    }
}
