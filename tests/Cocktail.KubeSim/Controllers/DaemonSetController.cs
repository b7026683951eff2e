using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The daemonset controller: one pod per node that matches the template's nodeSelector, pinned with the same
/// required node affinity (matchFields metadata.name) and daemon tolerations the real controller adds.
/// </summary>
internal sealed class DaemonSetController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);

    public override void Start()
    {
        foreach (var s in Cluster.Store.List("apps/daemonsets", null).Items) Enqueue(KeyOf(s));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "apps/daemonsets" && change.Type != "DELETED") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "/pods" && Workloads.OwnerKey(change.Object, "DaemonSet") is { } owner) yield return owner;
        else if (change.Object.StorageKey == "/nodes")
            foreach (var s in Cluster.Store.List("apps/daemonsets", null).Items) yield return KeyOf(s);
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type("apps", "daemonsets");
        var set = Cluster.Registry.TryGet(type, ns, name);
        if (set is null || set.IsDeleting()) return;
        var selector = set.At("spec", "template", "spec", "nodeSelector").StringMap();
        var nodes = Cluster.Store.List("/nodes", null).Items.Select(n => n.Parse())
            .Where(n => selector.All(s => n.At("metadata", "labels").StringMap().GetValueOrDefault(s.Key) == s.Value)).ToList();
        var pods = Workloads.OwnedBy(Cluster, "/pods", ns, set.Uid()).Where(Workloads.IsActive).ToList();
        foreach (var node in nodes)
        {
            if (pods.Any(p => PinnedNode(p) == node.Name())) continue;
            var failure = Workloads.CreatePod(Cluster, set, "DaemonSet", "apps/v1", (JsonObject)set.At("spec", "template")!, null, $"{name}-",
                pod => Pin(pod, node.Name()), "kube-controller-manager").Failure;
            if (failure is not null)
            {
                _events.Warning(set, "DaemonSet", "FailedCreate", $"Error creating: {failure.Message}", "daemonset-controller");
                break;
            }
        }
        var current = Workloads.OwnedBy(Cluster, "/pods", ns, set.Uid()).Where(Workloads.IsActive).ToList();
        var ready = current.Count(PodResources.IsReady);
        Workloads.WriteStatus(Cluster, type, set, "kube-controller-manager", s =>
        {
            var status = s.Obj("status");
            status["currentNumberScheduled"] = current.Count;
            status["desiredNumberScheduled"] = nodes.Count;
            status["numberMisscheduled"] = 0;
            status["numberReady"] = ready;
            status["numberAvailable"] = ready;
            status["updatedNumberScheduled"] = current.Count;
            status["observedGeneration"] = s.Long("metadata", "generation") ?? 1;
            if (nodes.Count - ready > 0) status["numberUnavailable"] = nodes.Count - ready; else status.Remove("numberUnavailable");
        });
    }

    static string? PinnedNode(JsonObject pod) =>
        pod.At("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").Objects()
            .SelectMany(t => t["matchFields"].Objects()).FirstOrDefault(f => f.Str("key") == "metadata.name")?["values"]?[0]?.GetValue<string>()
        ?? pod.Str("spec", "nodeName");

    static void Pin(JsonObject pod, string node)
    {
        var spec = pod.Obj("spec");
        spec["affinity"] = new JsonObject
        {
            ["nodeAffinity"] = new JsonObject
            {
                ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                {
                    ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                    {
                        ["matchFields"] = new JsonArray(new JsonObject { ["key"] = "metadata.name", ["operator"] = "In", ["values"] = new JsonArray(node) }),
                    }),
                },
            },
        };
        var tolerations = spec.Arr("tolerations");
        foreach (var (k, effect) in new[] { ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
                     ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                     ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule") })
            if (!tolerations.Objects().Any(t => t.Str("key") == k))
                tolerations.Add(new JsonObject { ["key"] = k, ["operator"] = "Exists", ["effect"] = effect });
    }
}
