using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The statefulset controller: pods name-0..N-1 created in order (OrderedReady waits for each to be Ready;
/// Parallel does not), removed from the highest ordinal down, with the identity labels and status fields.
/// </summary>
internal sealed class StatefulSetController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);

    public override void Start()
    {
        foreach (var s in Cluster.Store.List("apps/statefulsets", null).Items) Enqueue(KeyOf(s));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "apps/statefulsets" && change.Type != "DELETED") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "/pods" && Workloads.OwnerKey(change.Object, "StatefulSet") is { } owner) yield return owner;
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type("apps", "statefulsets");
        var set = Cluster.Registry.TryGet(type, ns, name);
        if (set is null || set.IsDeleting()) return;
        var desired = (int)(set.Long("spec", "replicas") ?? 1);
        var ordered = set.Str("spec", "podManagementPolicy") != "Parallel";
        var revision = $"{name}-{DeploymentController.PodTemplateHash((JsonObject)set.At("spec", "template")!)}";
        var pods = Workloads.OwnedBy(Cluster, "/pods", ns, set.Uid()).ToDictionary(p => p.Name());
        for (var ordinal = 0; ordinal < desired; ordinal++)
        {
            var podName = $"{name}-{ordinal}";
            if (pods.TryGetValue(podName, out var existing))
            {
                if (ordered && !PodResources.IsReady(existing)) break;
                continue;
            }
            var failure = Workloads.CreatePod(Cluster, set, "StatefulSet", "apps/v1", (JsonObject)set.At("spec", "template")!, podName, null, pod =>
            {
                var labels = pod.Obj("metadata").Obj("labels");
                labels["controller-revision-hash"] = revision;
                labels["statefulset.kubernetes.io/pod-name"] = podName;
                labels["apps.kubernetes.io/pod-index"] = ordinal.ToString();
                pod.Obj("spec")["hostname"] = podName;
                if (set.Str("spec", "serviceName") is { Length: > 0 } service) pod.Obj("spec")["subdomain"] = service;
            }, "kube-controller-manager").Failure;
            if (failure is not null)
            {
                _events.Warning(set, "StatefulSet", "FailedCreate", $"create Pod {podName} in StatefulSet {name} failed error: {failure.Message}", "statefulset-controller");
                break;
            }
            _events.Normal(set, "StatefulSet", "SuccessfulCreate", $"create Pod {podName} in StatefulSet {name} successful", "statefulset-controller");
            if (ordered) break;
        }
        foreach (var extra in pods.Values.Where(p => Ordinal(p.Name(), name) >= desired && !p.IsDeleting()).OrderByDescending(p => Ordinal(p.Name(), name)))
        {
            Cluster.Registry.Delete(Cluster.Type("", "pods"), ns, extra.Name(), new DeleteOptions(WriteOptions.Internal("kube-controller-manager")));
            _events.Normal(set, "StatefulSet", "SuccessfulDelete", $"delete Pod {extra.Name()} in StatefulSet {name} successful", "statefulset-controller");
            if (ordered) break;
        }
        var active = Workloads.OwnedBy(Cluster, "/pods", ns, set.Uid()).Where(Workloads.IsActive).ToList();
        var ready = active.Count(PodResources.IsReady);
        Workloads.WriteStatus(Cluster, type, set, "kube-controller-manager", s =>
        {
            var status = s.Obj("status");
            status["observedGeneration"] = s.Long("metadata", "generation") ?? 1;
            status["replicas"] = active.Count;
            status["readyReplicas"] = ready;
            status["currentReplicas"] = active.Count;
            status["updatedReplicas"] = active.Count;
            status["availableReplicas"] = ready;
            status["currentRevision"] = revision;
            status["updateRevision"] = revision;
            status["collisionCount"] = 0;
            if (ready == 0) status.Remove("readyReplicas");
        });
    }

    static int Ordinal(string podName, string setName) =>
        int.TryParse(podName[(setName.Length + 1)..], out var n) ? n : -1;
}
