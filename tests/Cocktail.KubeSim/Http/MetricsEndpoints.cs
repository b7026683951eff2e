using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// metrics.k8s.io/v1beta1 as metrics-server serves it: usage for Running pods (a steady fraction of each
/// container's requests, or a small default) and for nodes (their pods plus system overhead).
/// </summary>
internal sealed class MetricsEndpoints(ClusterRuntime cluster)
{
    public async Task Serve(Exchange exchange, ResourceType type)
    {
        var info = exchange.Info!;
        var registry = cluster.Registry;
        var pods = registry.List(cluster.Type("", "pods"), null, new ListOptions())["items"].Objects()
            .Where(p => p.Str("status", "phase") == "Running").ToList();
        var labels = QueryOptions.List(exchange.Http, type).Labels;
        JsonObject? single = null;
        var items = new JsonArray();
        if (type.Resource == "pods")
        {
            foreach (var pod in pods)
            {
                if (info.Namespace.Length > 0 && pod.Namespace() != info.Namespace) continue;
                if (info.Name.Length > 0 && pod.Name() != info.Name) continue;
                if (!labels.Matches(pod)) continue;
                var metrics = PodMetrics(pod);
                if (info.Name.Length > 0) single = metrics;
                items.Add(metrics);
            }
        }
        else
        {
            foreach (var node in registry.List(cluster.Type("", "nodes"), null, new ListOptions())["items"].Objects())
            {
                if (info.Name.Length > 0 && node.Name() != info.Name) continue;
                if (!labels.Matches(node)) continue;
                var metrics = NodeMetrics(node, pods.Where(p => p.Str("spec", "nodeName") == node.Name()));
                if (info.Name.Length > 0) single = metrics;
                items.Add(metrics);
            }
        }
        if (info.Verb == "get")
        {
            // metrics-server names its resources podmetrics/nodemetrics in errors.
            var resource = type.Resource == "pods" ? "podmetrics" : "nodemetrics";
            await exchange.Respond(200, single ?? throw ApiException.NotFound("metrics.k8s.io", resource, info.Name));
            return;
        }
        await exchange.Respond(200, new JsonObject
        {
            ["kind"] = type.ListKind, ["apiVersion"] = type.GroupVersion, ["metadata"] = new JsonObject(), ["items"] = items,
        });
    }

    JsonObject Envelope(string kind, JsonObject source, bool namespaced)
    {
        var meta = new JsonObject { ["name"] = source.Name() };
        if (namespaced) meta["namespace"] = source.Namespace();
        meta["creationTimestamp"] = ObjectMetadata.Timestamp(cluster.Time.GetUtcNow());
        if (source.At("metadata", "labels") is JsonObject labels) meta["labels"] = labels.DeepClone();
        return new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = "metrics.k8s.io/v1beta1",
            ["metadata"] = meta,
            ["timestamp"] = ObjectMetadata.Timestamp(cluster.Time.GetUtcNow().AddSeconds(-5)),
            ["window"] = "10.081s",
        };
    }

    JsonObject PodMetrics(JsonObject pod)
    {
        var metrics = Envelope("PodMetrics", pod, namespaced: true);
        var containers = new JsonArray();
        foreach (var c in pod.At("spec", "containers").Objects())
        {
            var (cpu, memory) = Controllers.PodUsage.Of(pod, c);
            containers.Add(new JsonObject
            {
                ["name"] = c.Str("name"),
                ["usage"] = new JsonObject { ["cpu"] = cpu.ToNanoString(), ["memory"] = memory.ToKibiString() },
            });
        }
        metrics["containers"] = containers;
        return metrics;
    }

    JsonObject NodeMetrics(JsonObject node, IEnumerable<JsonObject> pods)
    {
        var cpu = Quantity.Parse("150m");
        var memory = Quantity.Parse("900Mi");
        foreach (var pod in pods)
            foreach (var c in pod.At("spec", "containers").Objects())
            {
                var (podCpu, podMemory) = Controllers.PodUsage.Of(pod, c);
                cpu += podCpu;
                memory += podMemory;
            }
        var metrics = Envelope("NodeMetrics", node, namespaced: false);
        metrics["usage"] = new JsonObject { ["cpu"] = cpu.ToNanoString(), ["memory"] = memory.ToKibiString() };
        return metrics;
    }
}
