using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The replicaset controller: keeps spec.replicas active pods (generateName "rs-name-"), reports replicas /
/// fullyLabeled / ready / available, and surfaces pod creation failures (quota, Pod Security) as FailedCreate
/// events and a ReplicaFailure condition, as on a real cluster.
/// </summary>
internal sealed class ReplicaSetController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);
    /// <summary>Per key, the backoff after failed pod creations, for the ReplicaSet with that uid.</summary>
    readonly Dictionary<string, (string? Uid, DateTimeOffset NotBefore, TimeSpan Backoff)> _failedCreates = [];
    static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public override void Start()
    {
        foreach (var rs in Cluster.Store.List("apps/replicasets", null).Items) Enqueue(KeyOf(rs));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        // Deletions are queued too, as the real controller's deleteRS does, so the sync forgets their backoff.
        if (change.Object.StorageKey == "apps/replicasets") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "/pods" && Workloads.OwnerKey(change.Object, "ReplicaSet") is { } owner) yield return owner;
        else if (change.Object.StorageKey == "/resourcequotas")
            foreach (var rs in Cluster.Store.List("apps/replicasets", change.Object.Namespace).Items) yield return KeyOf(rs);
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type("apps", "replicasets");
        var rs = Cluster.Registry.TryGet(type, ns, name);
        if (rs is null || rs.IsDeleting())
        {
            _failedCreates.Remove(key); // the work queue's Forget: a re-created ReplicaSet starts afresh
            return;
        }
        // A ReplicaSet re-created under the same name before its predecessor's sync does not inherit its backoff.
        if (_failedCreates.TryGetValue(key, out var previous) && previous.Uid != rs.Uid()) _failedCreates.Remove(key);
        var pods = Workloads.OwnedBy(Cluster, "/pods", ns, rs.Uid());
        var active = pods.Where(Workloads.IsActive).ToList();
        var desired = (int)(rs.Long("spec", "replicas") ?? 1);
        Http.ApiException? failure = null;
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        var attemptAt = Cluster.Time.GetUtcNow();
        var backingOff = _failedCreates.TryGetValue(key, out var backoff) && attemptAt < backoff.NotBefore;
        if (active.Count < desired && !backingOff)
        {
            for (var i = active.Count; i < desired; i++)
            {
                var creation = Workloads.CreatePod(Cluster, rs, "ReplicaSet", "apps/v1", (JsonObject)rs.At("spec", "template")!, null, $"{name}-", null, "kube-controller-manager");
                failure = creation.Failure;
                if (failure is not null)
                {
                    _events.Warning(rs, "ReplicaSet", "FailedCreate", $"Error creating: {failure.Message}", "replicaset-controller");
                    // Like the controller's rate-limited work queue: retry later, doubling the wait each time.
                    var next = backoff.Backoff == TimeSpan.Zero ? InitialBackoff : TimeSpan.FromTicks(Math.Min(backoff.Backoff.Ticks * 2, MaxBackoff.Ticks));
                    _failedCreates[key] = (rs.Uid(), attemptAt + next, next);
                    Schedule(next, () => Enqueue(key));
                    break;
                }
                _failedCreates.Remove(key);
                _events.Normal(rs, "ReplicaSet", "SuccessfulCreate", $"Created pod: {creation.Pod!.Name()}", "replicaset-controller");
            }
        }
        else if (active.Count > desired)
        {
            // Scale down the least useful first: unscheduled, then not ready, then the newest.
            foreach (var victim in active.OrderBy(p => p.Str("spec", "nodeName") is { Length: > 0 } ? 1 : 0)
                         .ThenBy(p => PodResources.IsReady(p) ? 1 : 0)
                         .ThenByDescending(p => p.Str("metadata", "creationTimestamp"), StringComparer.Ordinal)
                         .Take(active.Count - desired))
            {
                Cluster.Registry.Delete(Cluster.Type("", "pods"), ns, victim.Name(), new DeleteOptions(WriteOptions.Internal("kube-controller-manager")));
                _events.Normal(rs, "ReplicaSet", "SuccessfulDelete", $"Deleted pod: {victim.Name()}", "replicaset-controller");
            }
        }
        var current = Workloads.OwnedBy(Cluster, "/pods", ns, rs.Uid()).Where(Workloads.IsActive).ToList();
        var ready = current.Count(PodResources.IsReady);
        var templateLabels = rs.At("spec", "template", "metadata", "labels").StringMap();
        Workloads.WriteStatus(Cluster, type, rs, "kube-controller-manager", o =>
        {
            var status = o.Obj("status");
            status["replicas"] = current.Count;
            status["fullyLabeledReplicas"] = current.Count(p => templateLabels.All(l => p.At("metadata", "labels").StringMap().GetValueOrDefault(l.Key) == l.Value));
            status["readyReplicas"] = ready;
            status["availableReplicas"] = ready;
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            // As in the real controller, an existing ReplicaFailure condition is kept, not rewritten on every retry.
            var hasFailure = o.At("status", "conditions").Objects().Any(c => c.Str("type") == "ReplicaFailure");
            if (failure is not null && !hasFailure) Workloads.SetCondition(o, "ReplicaFailure", "True", "FailedCreate", failure.Message, now, touchUpdate: false);
            else if (failure is null && !backingOff && current.Count >= desired) Workloads.RemoveCondition(o, "ReplicaFailure");
            if (o.At("status", "conditions") is JsonArray { Count: 0 }) status.Remove("conditions");
            foreach (var c in o.At("status", "conditions").Objects()) c.Remove("lastUpdateTime");
            if (ready == 0) status.Remove("readyReplicas");
            if (ready == 0) status.Remove("availableReplicas");
        });
    }
}
