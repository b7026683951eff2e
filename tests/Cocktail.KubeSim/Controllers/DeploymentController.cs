using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The deployment controller: one ReplicaSet per pod template (named with its pod-template-hash), rolling
/// updates within maxSurge/maxUnavailable (or Recreate), revision annotations, ScalingReplicaSet events, and
/// status with the Available / Progressing / ReplicaFailure conditions and their real reasons.
/// </summary>
internal sealed class DeploymentController(ClusterRuntime cluster) : Controller(cluster)
{
    const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    readonly EventRecorder _events = new(cluster);
    readonly HashSet<string> _deadlineChecks = [];

    ResourceType DeploymentType => Cluster.Type("apps", "deployments");
    ResourceType ReplicaSetType => Cluster.Type("apps", "replicasets");

    public override void Start()
    {
        foreach (var d in Cluster.Store.List("apps/deployments", null).Items) Enqueue(KeyOf(d));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "apps/deployments" && change.Type != "DELETED") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "apps/replicasets" && Workloads.OwnerKey(change.Object, "Deployment") is { } owner) yield return owner;
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var deployment = Cluster.Registry.TryGet(DeploymentType, ns, name);
        if (deployment is null || deployment.IsDeleting()) return;
        var replicaSets = Workloads.OwnedBy(Cluster, "apps/replicasets", ns, deployment.Uid());
        var hash = PodTemplateHash((JsonObject)deployment.At("spec", "template")!);
        var newRs = replicaSets.FirstOrDefault(rs => rs.Str("metadata", "labels", "pod-template-hash") == hash);
        var oldSets = replicaSets.Where(rs => rs != newRs).ToList();
        var desired = (int)(deployment.Long("spec", "replicas") ?? 1);
        var paused = deployment.Bool("spec", "paused") == true;
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        var createdNew = false;
        if (newRs is null && !paused)
        {
            newRs = CreateReplicaSet(deployment, hash, replicaSets, desired);
            createdNew = true;
        }
        if (newRs is not null && !paused) Rollout(deployment, newRs, oldSets, desired);
        UpdateStatus(deployment, hash, createdNew, now);
    }

    JsonObject CreateReplicaSet(JsonObject deployment, string hash, List<JsonObject> existing, int desired)
    {
        var revision = existing.Select(rs => long.TryParse(rs.Str("metadata", "annotations", RevisionAnnotation), out var r) ? r : 0).DefaultIfEmpty(0).Max() + 1;
        var template = (JsonObject)deployment.At("spec", "template")!.DeepClone();
        template.Obj("metadata").Obj("labels")["pod-template-hash"] = hash;
        var selector = (JsonObject)deployment.At("spec", "selector")!.DeepClone();
        selector.Obj("matchLabels")["pod-template-hash"] = hash;
        var labels = deployment.At("spec", "template", "metadata", "labels")?.DeepClone() as JsonObject ?? new JsonObject();
        labels["pod-template-hash"] = hash;
        var maxSurge = Workloads.ResolveIntOrPercent(deployment.At("spec", "strategy", "rollingUpdate", "maxSurge"), desired, true, 0);
        var name = $"{deployment.Name()}-{hash}";
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = deployment.Namespace(),
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    ["deployment.kubernetes.io/desired-replicas"] = desired.ToString(),
                    ["deployment.kubernetes.io/max-replicas"] = (desired + maxSurge).ToString(),
                    [RevisionAnnotation] = revision.ToString(),
                },
                ["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(deployment, "apps/v1", "Deployment")),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 0,
                ["minReadySeconds"] = deployment.Long("spec", "minReadySeconds") ?? 0,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        var created = Cluster.Registry.Create(ReplicaSetType, deployment.Namespace(), rs, WriteOptions.Internal("kube-controller-manager"));
        Cluster.Registry.Mutate(DeploymentType, deployment.Namespace(), deployment.Name(), WriteOptions.Internal("kube-controller-manager"), "", d =>
        {
            d.Meta().Obj("annotations")[RevisionAnnotation] = revision.ToString();
            d.Meta().Remove("resourceVersion");
            return d;
        });
        return created;
    }

    void Rollout(JsonObject deployment, JsonObject newRs, List<JsonObject> oldSets, int desired)
    {
        var recreate = deployment.Str("spec", "strategy", "type") == "Recreate";
        int Replicas(JsonObject rs) => (int)(rs.Long("spec", "replicas") ?? 0);
        int Available(JsonObject rs) => (int)(rs.Long("status", "availableReplicas") ?? 0);
        if (recreate)
        {
            foreach (var old in oldSets.Where(o => Replicas(o) > 0)) Scale(deployment, old, 0);
            var oldPodsRunning = oldSets.Sum(o => (int)(o.Long("status", "replicas") ?? 0)) > 0;
            if (!oldPodsRunning && Replicas(newRs) != desired) Scale(deployment, newRs, desired);
            return;
        }
        var maxSurge = Workloads.ResolveIntOrPercent(deployment.At("spec", "strategy", "rollingUpdate", "maxSurge"), desired, true, 0);
        var maxUnavailable = Workloads.ResolveIntOrPercent(deployment.At("spec", "strategy", "rollingUpdate", "maxUnavailable"), desired, false, 0);
        if (maxSurge == 0 && maxUnavailable == 0) maxUnavailable = 1;
        if (oldSets.All(o => Replicas(o) == 0))
        {
            if (Replicas(newRs) != desired) Scale(deployment, newRs, desired);
            return;
        }
        // Scale up the new ReplicaSet within the surge budget.
        var total = Replicas(newRs) + oldSets.Sum(Replicas);
        var maxTotal = desired + maxSurge;
        if (total < maxTotal && Replicas(newRs) < desired)
        {
            var target = Math.Min(desired, Replicas(newRs) + (maxTotal - total));
            Scale(deployment, newRs, target);
            newRs = Cluster.Registry.TryGet(ReplicaSetType, newRs.Namespace(), newRs.Name()) ?? newRs;
        }
        // Scale down old ReplicaSets as far as availability allows.
        var minAvailable = desired - maxUnavailable;
        var newUnavailable = Replicas(newRs) - Available(newRs);
        var available = Available(newRs) + oldSets.Sum(Available);
        var budget = available - minAvailable - Math.Max(0, newUnavailable);
        // Old pods that are not available anyway can always go.
        foreach (var old in oldSets.OrderBy(o => o.Str("metadata", "creationTimestamp"), StringComparer.Ordinal))
        {
            var unavailableOld = Replicas(old) - Available(old);
            var cut = Math.Min(Replicas(old), Math.Max(0, unavailableOld) + Math.Max(0, budget));
            if (cut <= 0) continue;
            budget -= Math.Max(0, cut - Math.Max(0, unavailableOld));
            Scale(deployment, old, Replicas(old) - cut);
        }
    }

    void Scale(JsonObject deployment, JsonObject rs, int replicas)
    {
        var from = (int)(rs.Long("spec", "replicas") ?? 0);
        if (from == replicas) return;
        var desired = (int)(deployment.Long("spec", "replicas") ?? 1);
        var maxSurge = Workloads.ResolveIntOrPercent(deployment.At("spec", "strategy", "rollingUpdate", "maxSurge"), desired, true, 0);
        Cluster.Registry.Mutate(ReplicaSetType, rs.Namespace(), rs.Name(), WriteOptions.Internal("kube-controller-manager"), "", current =>
        {
            current.Obj("spec")["replicas"] = replicas;
            var annotations = current.Meta().Obj("annotations");
            annotations["deployment.kubernetes.io/desired-replicas"] = desired.ToString();
            annotations["deployment.kubernetes.io/max-replicas"] = (desired + maxSurge).ToString();
            current.Meta().Remove("resourceVersion");
            return current;
        });
        var direction = replicas > from ? "up" : "down";
        _events.Normal(deployment, "Deployment", "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Name()} from {from} to {replicas}", "deployment-controller");
    }

    void UpdateStatus(JsonObject deployment, string hash, bool createdNew, string now)
    {
        var replicaSets = Workloads.OwnedBy(Cluster, "apps/replicasets", deployment.Namespace(), deployment.Uid());
        var newRs = replicaSets.FirstOrDefault(rs => rs.Str("metadata", "labels", "pod-template-hash") == hash);
        var desired = (int)(deployment.Long("spec", "replicas") ?? 1);
        var replicas = replicaSets.Sum(rs => (int)(rs.Long("status", "replicas") ?? 0));
        var updated = (int)(newRs?.Long("status", "replicas") ?? 0);
        var ready = replicaSets.Sum(rs => (int)(rs.Long("status", "readyReplicas") ?? 0));
        var available = replicaSets.Sum(rs => (int)(rs.Long("status", "availableReplicas") ?? 0));
        var maxUnavailable = Workloads.ResolveIntOrPercent(deployment.At("spec", "strategy", "rollingUpdate", "maxUnavailable"), desired, false, 0);
        if (deployment.Str("spec", "strategy", "type") == "Recreate") maxUnavailable = 0;
        var complete = newRs is not null && updated == desired && replicas == desired && available >= desired;
        var replicaFailure = newRs?.At("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == "ReplicaFailure" && c.Str("status") == "True");
        var progressDeadline = deployment.Long("spec", "progressDeadlineSeconds") ?? 600;
        Workloads.WriteStatus(Cluster, DeploymentType, deployment, "kube-controller-manager", d =>
        {
            var status = d.Obj("status");
            status["observedGeneration"] = d.Long("metadata", "generation") ?? 1;
            status["replicas"] = replicas;
            status["updatedReplicas"] = updated;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = available;
            status["unavailableReplicas"] = Math.Max(0, desired - available);
            foreach (var zero in new[] { "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas" })
                if (status.Long(zero) == 0) status.Remove(zero);
            if (available >= desired - maxUnavailable)
                Workloads.SetCondition(d, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, touchUpdate: false);
            else
                Workloads.SetCondition(d, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, touchUpdate: false);
            var rsName = newRs?.Name() ?? $"{d.Name()}-{hash}";
            var progressing = d.At("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == "Progressing");
            if (complete)
                Workloads.SetCondition(d, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", now, touchUpdate: progressing?.Str("reason") != "NewReplicaSetAvailable");
            else if (progressing is not null && progressing.Str("reason") != "NewReplicaSetAvailable" &&
                     DateTimeOffset.TryParse(progressing.Str("lastUpdateTime"), out var lastProgress) &&
                     Cluster.Time.GetUtcNow() - lastProgress > TimeSpan.FromSeconds(progressDeadline))
                Workloads.SetCondition(d, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", now, touchUpdate: false);
            else if (createdNew)
                Workloads.SetCondition(d, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{rsName}\"", now);
            else if (progressing?.Str("reason") is not "ProgressDeadlineExceeded")
                Workloads.SetCondition(d, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", now,
                    touchUpdate: progressing?.Str("reason") != "ReplicaSetUpdated" || ProgressMade(d, replicas, updated, available));
            if (replicaFailure is not null)
                Workloads.SetCondition(d, "ReplicaFailure", "True", "FailedCreate", replicaFailure.Str("message") ?? "", now, touchUpdate: false);
            else
                Workloads.RemoveCondition(d, "ReplicaFailure");
            SortConditions(d);
        });
        var key = $"{deployment.Namespace()}/{deployment.Name()}";
        if (!complete && progressDeadline > 0 && _deadlineChecks.Add(key))
            Schedule(TimeSpan.FromSeconds(progressDeadline) + TimeSpan.FromMilliseconds(50), () =>
            {
                _deadlineChecks.Remove(key);
                Enqueue(key);
            });
    }

    static bool ProgressMade(JsonObject d, int replicas, int updated, int available) =>
        d.Long("status", "replicas") != replicas || d.Long("status", "updatedReplicas") != updated || d.Long("status", "availableReplicas") != available;

    static void SortConditions(JsonObject d)
    {
        if (d.At("status", "conditions") is not JsonArray conditions) return;
        string[] order = ["Available", "Progressing", "ReplicaFailure"];
        var sorted = conditions.Objects().OrderBy(c => Array.IndexOf(order, c.Str("type"))).Select(c => c.DeepClone()).ToArray();
        d.Obj("status")["conditions"] = new JsonArray(sorted);
    }

    /// <summary>controller.ComputeHash: FNV-32a of the template, rendered with the safe alphabet.</summary>
    public static string PodTemplateHash(JsonObject template)
    {
        uint hash = 2166136261;
        foreach (var b in template.ToUtf8())
        {
            hash ^= b;
            hash *= 16777619;
        }
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(hash.ToString().Select(c => alphabet[(c - '0') % alphabet.Length]));
    }
}
