using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>The endpoints controller: for each Service with a selector, an Endpoints object listing its pods (ready and not).</summary>
internal sealed class EndpointsController(ClusterRuntime cluster) : Controller(cluster)
{
    public override void Start()
    {
        foreach (var s in Cluster.Store.List("/services", null).Items) Enqueue(KeyOf(s));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "/services") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "/pods")
            foreach (var s in Cluster.Store.List("/services", change.Object.Namespace).Items) yield return KeyOf(s);
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var endpointsType = Cluster.Type("", "endpoints");
        var service = Cluster.Registry.TryGet(Cluster.Type("", "services"), ns, name);
        if (service is null)
        {
            // The Endpoints object goes with its Service.
            if (Cluster.Registry.TryGet(endpointsType, ns, name) is not null) Cluster.Registry.DeleteNow(endpointsType, ns, name);
            return;
        }
        var selector = service.At("spec", "selector").StringMap();
        if (selector.Count == 0) return;
        var pods = Cluster.Store.List("/pods", ns).Items.Select(p => p.Parse())
            .Where(p => !p.IsDeleting() && p.Str("status", "podIP") is not null && !PodResources.IsTerminal(p) &&
                        selector.All(s => p.At("metadata", "labels").StringMap().GetValueOrDefault(s.Key) == s.Value)).ToList();
        JsonObject Address(JsonObject pod) => new()
        {
            ["ip"] = pod.Str("status", "podIP"),
            ["nodeName"] = pod.Str("spec", "nodeName"),
            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = ns, ["name"] = pod.Name(), ["uid"] = pod.Uid() },
        };
        var subset = new JsonObject();
        var ready = pods.Where(PodResources.IsReady).Select(p => (JsonNode)Address(p)).ToArray();
        var notReady = pods.Where(p => !PodResources.IsReady(p)).Select(p => (JsonNode)Address(p)).ToArray();
        if (ready.Length > 0) subset["addresses"] = new JsonArray(ready);
        if (notReady.Length > 0) subset["notReadyAddresses"] = new JsonArray(notReady);
        subset["ports"] = new JsonArray(service.At("spec", "ports").Objects().Select(p =>
        {
            var port = new JsonObject { ["port"] = p["targetPort"] is JsonValue v && v.TryGetValue<long>(out var n) ? n : p.Long("port"), ["protocol"] = p.Str("protocol") ?? "TCP" };
            if (p.Str("name") is { } portName) port["name"] = portName;
            return (JsonNode)port;
        }).ToArray());
        var endpoints = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = ns,
                ["labels"] = service.At("metadata", "labels")?.DeepClone() ?? new JsonObject(),
            },
        };
        if (ready.Length + notReady.Length > 0) endpoints["subsets"] = new JsonArray(subset);
        var existing = Cluster.Registry.TryGet(endpointsType, ns, name);
        if (existing is null) Cluster.Registry.Create(endpointsType, ns, endpoints, WriteOptions.Internal("endpoint-controller"));
        else if (!JsonNode.DeepEquals(existing["subsets"], endpoints["subsets"]))
            Cluster.Registry.Mutate(endpointsType, ns, name, WriteOptions.Internal("endpoint-controller"), "", current =>
            {
                if (endpoints["subsets"] is { } s) current["subsets"] = s.DeepClone(); else current.Remove("subsets");
                current.Meta().Remove("resourceVersion");
                return current;
            });
    }
}
