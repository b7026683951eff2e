using System.Text.Json.Nodes;
using Cocktail.KubeSim.Controllers;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// What counts against a ResourceQuota (pkg/quota/v1/evaluator/core): pod counts and compute requests/limits of
/// non-terminal pods, PVC storage, and object counts in both the legacy names (services, secrets...) and the
/// <c>count/&lt;resource&gt;.&lt;group&gt;</c> form.
/// </summary>
internal static class QuotaUsage
{
    public static bool IsTracked(string storageKey) => storageKey != "events";

    /// <summary>The usage an object adds to its namespace.</summary>
    public static Dictionary<string, Quantity> Of(ResourceType type, JsonObject obj)
    {
        var usage = new Dictionary<string, Quantity>
        {
            [type.Group.Length == 0 ? $"count/{type.Resource}" : $"count/{type.Resource}.{type.Group}"] = One,
        };
        switch (type.StorageKey)
        {
            case "/pods":
                if (PodResources.IsTerminal(obj)) return [];
                usage["pods"] = One;
                foreach (var (resource, q) in PodResources.Requests(obj))
                {
                    usage[$"requests.{resource}"] = q;
                    if (resource is "cpu" or "memory" or "ephemeral-storage") usage[resource] = q;
                }
                foreach (var (resource, q) in PodResources.Limits(obj)) usage[$"limits.{resource}"] = q;
                break;
            case "/services":
                usage["services"] = One;
                if (obj.Str("spec", "type") == "LoadBalancer") usage["services.loadbalancers"] = One;
                if (obj.Str("spec", "type") is "NodePort" or "LoadBalancer") usage["services.nodeports"] = new Quantity(obj.At("spec", "ports").Objects().Count(), false);
                break;
            case "/persistentvolumeclaims":
                usage["persistentvolumeclaims"] = One;
                usage["requests.storage"] = Quantity.Parse(obj.Str("spec", "resources", "requests", "storage"));
                break;
            case "/configmaps" or "/secrets" or "/replicationcontrollers" or "/resourcequotas":
                usage[type.Resource] = One;
                break;
        }
        return usage;
    }

    static readonly Quantity One = new(1, false);

    /// <summary>Current usage of the namespace for the given quota keys.</summary>
    public static Dictionary<string, Quantity> Compute(ClusterRuntime cluster, string ns, IEnumerable<string> keys)
    {
        var wanted = keys.ToHashSet();
        var used = wanted.ToDictionary(k => k, _ => Quantity.Zero);
        foreach (var type in cluster.Catalog.All.Where(t => t.Namespaced && !t.IsVirtual).GroupBy(t => t.StorageKey).Select(g => g.First()))
        {
            if (type.StorageKey == "events" || type.Group == "metrics.k8s.io") continue;
            if (!wanted.Any(k => Relevant(k, type))) continue;
            foreach (var stored in cluster.Store.List(type.StorageKey, ns).Items)
                foreach (var (k, q) in Of(type, stored.Parse()))
                    if (used.ContainsKey(k)) used[k] += q;
        }
        return used;
    }

    static bool Relevant(string key, ResourceType type) => type.StorageKey switch
    {
        "/pods" => !key.StartsWith("count/", StringComparison.Ordinal) || key == "count/pods",
        _ => key.StartsWith("count/", StringComparison.Ordinal) ? key == (type.Group.Length == 0 ? $"count/{type.Resource}" : $"count/{type.Resource}.{type.Group}")
            : key.StartsWith(type.Resource, StringComparison.Ordinal) || (key == "requests.storage" && type.Resource == "persistentvolumeclaims"),
    };
}
