using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// default-scheduler in miniature: filters nodes by readiness, schedulability, nodeSelector, required node
/// affinity, taints/tolerations and free resources (requests vs allocatable, pod count), then picks the least
/// allocated node. Unschedulable pods get PodScheduled=False and a FailedScheduling event, and are retried when
/// pods or nodes change.
/// </summary>
internal sealed class SchedulerController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);
    readonly HashSet<string> _unschedulable = [];

    public override void Start()
    {
        foreach (var pod in Cluster.Store.List("/pods", null).Items) Enqueue(KeyOf(pod));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "/pods")
        {
            if (change.Type == "ADDED") yield return KeyOf(change.Object);
            if (change.Type == "DELETED") foreach (var k in _unschedulable) yield return k;
        }
        else if (change.Object.StorageKey == "/nodes")
            foreach (var k in _unschedulable) yield return k;
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var podType = Cluster.Type("", "pods");
        var pod = Cluster.Registry.TryGet(podType, ns, name);
        if (pod is null || pod.IsDeleting() || pod.Str("spec", "nodeName") is { Length: > 0 } ||
            pod.Str("spec", "schedulerName") != "default-scheduler")
        {
            _unschedulable.Remove(key);
            return;
        }
        var nodes = Cluster.Store.List("/nodes", null).Items.Select(n => n.Parse()).ToList();
        var pods = Cluster.Store.List("/pods", null).Items.Select(p => p.Parse())
            .Where(p => p.Str("spec", "nodeName") is { Length: > 0 } && !PodResources.IsTerminal(p)).ToList();
        var requests = PodResources.Requests(pod);
        var reasons = new Dictionary<string, int>();
        JsonObject? best = null;
        var bestScore = decimal.MaxValue;
        foreach (var node in nodes)
        {
            var reason = Misfit(pod, node, requests, pods.Where(p => p.Str("spec", "nodeName") == node.Name()).ToList(), out var score);
            if (reason is not null) { reasons[reason] = reasons.GetValueOrDefault(reason) + 1; continue; }
            if (score < bestScore) { best = node; bestScore = score; }
        }
        if (best is null)
        {
            MarkUnschedulable(pod, podType, nodes.Count, reasons);
            _unschedulable.Add(key);
            return;
        }
        _unschedulable.Remove(key);
        Bind(pod, podType, best.Name());
    }

    string? Misfit(JsonObject pod, JsonObject node, Dictionary<string, Quantity> requests, List<JsonObject> podsOnNode, out decimal score)
    {
        score = 0;
        if (!node.At("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True"))
            return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }";
        if (node.Bool("spec", "unschedulable") == true) return "node(s) were unschedulable";
        var labels = node.At("metadata", "labels").StringMap();
        foreach (var (k, v) in pod.At("spec", "nodeSelector").StringMap())
            if (labels.GetValueOrDefault(k) != v) return "node(s) didn't match Pod's node affinity/selector";
        if (!MatchesRequiredAffinity(pod, node, labels)) return "node(s) didn't match Pod's node affinity/selector";
        foreach (var taint in node.At("spec", "taints").Objects())
        {
            if (taint.Str("effect") is not ("NoSchedule" or "NoExecute")) continue;
            if (!Tolerates(pod, taint)) return $"node(s) had untolerated taint {{{taint.Str("key")}: {taint.Str("value")}}}";
        }
        var allocatable = node.At("status", "allocatable").StringMap();
        if (podsOnNode.Count + 1 > (long.TryParse(allocatable.GetValueOrDefault("pods"), out var maxPods) ? maxPods : 110))
            return "Too many pods";
        foreach (var (resource, requested) in requests)
        {
            var used = podsOnNode.Aggregate(Quantity.Zero, (sum, p) => sum + PodResources.Requests(p).GetValueOrDefault(resource, Quantity.Zero));
            var capacity = Quantity.Parse(allocatable.GetValueOrDefault(resource, "0"));
            if (used.Value + requested.Value > capacity.Value) return $"Insufficient {resource}";
            if (capacity.Value > 0) score += (used.Value + requested.Value) / capacity.Value;
        }
        score += podsOnNode.Count / 1000m; // spread equal nodes
        return null;
    }

    static bool MatchesRequiredAffinity(JsonObject pod, JsonObject node, Dictionary<string, string> labels)
    {
        var terms = pod.At("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").Objects().ToList();
        if (terms.Count == 0) return true;
        return terms.Any(term =>
            term["matchExpressions"].Objects().All(e => Matches(e, labels.TryGetValue(e.Str("key") ?? "", out var v) ? v : null)) &&
            term["matchFields"].Objects().All(e => Matches(e, e.Str("key") == "metadata.name" ? node.Name() : null)));
    }

    static bool Matches(JsonObject expression, string? value)
    {
        var values = expression["values"] is JsonArray a ? a.Select(v => v?.GetValue<string>()).ToList() : [];
        return expression.Str("operator") switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            _ => false,
        };
    }

    static bool Tolerates(JsonObject pod, JsonObject taint) =>
        pod.At("spec", "tolerations").Objects().Any(t =>
            (t.Str("effect") is null or "" || t.Str("effect") == taint.Str("effect")) &&
            (t.Str("operator") == "Exists"
                ? t.Str("key") is null or "" || t.Str("key") == taint.Str("key")
                : t.Str("key") == taint.Str("key") && (t.Str("value") ?? "") == (taint.Str("value") ?? "")));

    void Bind(JsonObject pod, Discovery.ResourceType podType, string node)
    {
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        Cluster.Registry.Mutate(podType, pod.Namespace(), pod.Name(), WriteOptions.Internal("default-scheduler"), "binding", current =>
        {
            current.Obj("spec")["nodeName"] = node;
            current.Meta().Remove("resourceVersion");
            return current;
        });
        Cluster.Registry.Mutate(podType, pod.Namespace(), pod.Name(), WriteOptions.Internal("default-scheduler"), "status", current =>
        {
            PodStatusWriter.SetCondition(current, "PodScheduled", "True", null, null, now);
            current.Meta().Remove("resourceVersion");
            return current;
        });
        _events.Normal(pod, "Pod", "Scheduled", $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node}", "default-scheduler");
    }

    void MarkUnschedulable(JsonObject pod, Discovery.ResourceType podType, int nodeCount, Dictionary<string, int> reasons)
    {
        var detail = string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"));
        var message = $"0/{nodeCount} nodes are available: {detail}. preemption: 0/{nodeCount} nodes are available: {nodeCount} No preemption victims found for incoming pod.";
        var existing = pod.At("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == "PodScheduled");
        if (existing.Str("message") == message) return;
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        Cluster.Registry.Mutate(podType, pod.Namespace(), pod.Name(), WriteOptions.Internal("default-scheduler"), "status", current =>
        {
            PodStatusWriter.SetCondition(current, "PodScheduled", "False", "Unschedulable", message, now);
            current.Meta().Remove("resourceVersion");
            return current;
        });
        _events.Warning(pod, "Pod", "FailedScheduling", message, "default-scheduler");
    }
}
