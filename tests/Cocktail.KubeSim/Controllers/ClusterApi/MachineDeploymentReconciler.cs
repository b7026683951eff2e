using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The MachineDeployment and MachineSet controllers: one MachineSet per machine template (named
/// "&lt;md&gt;-&lt;hash&gt;"), rolling updates with maxSurge 1 / maxUnavailable 0 (the v1beta2 defaults), scaling by
/// creating/deleting Machines, "SuccessfulCreate"/"SuccessfulDelete" events, replica counters and conditions.
/// </summary>
internal sealed partial class ClusterApiController
{
    void ReconcileMachineDeployment(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("machinedeployments");
        var md = Cluster.Registry.TryGet(type, ns, name);
        if (md is null || md.IsDeleting()) return; // its MachineSets go with it (owner references, garbage collector)
        var clusterName = md.Str("spec", "clusterName") ?? "";
        var capiCluster = Get(CoreGroup, "clusters", ns, clusterName);
        if (capiCluster is null) return;
        md = WriteObject(type, md, o =>
        {
            EnsureOwner(o, ClusterOwnerRef(capiCluster).Also(r => r.Remove("controller")), clusterName);
            var selector = o.Obj("spec").Obj("selector").Obj("matchLabels");
            selector[ClusterNameLabel] = clusterName;
            selector[DeploymentNameLabel] = name;
        });
        var msType = CoreType("machinesets");
        var sets = OwnedBy($"{CoreGroup}/machinesets", ns, md.Uid()).Where(s => !s.IsDeleting()).ToList();
        var template = md.At("spec", "template")?.DeepClone() as JsonObject ?? new JsonObject();
        var hash = TemplateHash(template);
        var newSet = sets.FirstOrDefault(s => s.At("metadata", "labels", "machine-template-hash")?.ToString() == hash);
        var oldSets = sets.Where(s => s != newSet).OrderBy(s => s.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ToList();
        var desired = Replicas(md);
        var now = Now;
        if (newSet is null)
        {
            var setName = $"{name}-{hash}";
            var labels = new JsonObject { [ClusterNameLabel] = clusterName, [DeploymentNameLabel] = name, ["machine-template-hash"] = hash };
            var setTemplate = template.CloneObject();
            var templateLabels = setTemplate.Obj("metadata").Obj("labels");
            foreach (var (k, v) in labels) templateLabels[k] = v!.DeepClone();
            newSet = Create(msType, ns, new JsonObject
            {
                ["apiVersion"] = $"{CoreGroup}/v1beta2",
                ["kind"] = "MachineSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = setName, ["namespace"] = ns, ["labels"] = labels,
                    ["annotations"] = new JsonObject { ["machinedeployment.clusters.x-k8s.io/revision"] = (sets.Count + 1).ToString() },
                    ["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(md, type.GroupVersion, "MachineDeployment")),
                },
                ["spec"] = new JsonObject
                {
                    ["clusterName"] = clusterName,
                    ["replicas"] = oldSets.Count == 0 ? desired : 0,
                    ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                    ["template"] = setTemplate,
                },
            });
            _events.Normal(md, "MachineDeployment", "SuccessfulCreate", $"Created MachineSet {setName}", "machinedeployment-controller");
            return;
        }
        var newReplicas = Replicas(newSet, 0);
        if (oldSets.Count == 0)
        {
            if (newReplicas != desired) WriteObject(msType, newSet, o => o.Obj("spec")["replicas"] = desired);
        }
        else
        {
            // Rolling update, maxSurge 1, maxUnavailable 0 (rollingupdate.go): scale the new set up while the total
            // stays within desired + 1, and the old ones down by what is available beyond desired.
            var total = sets.Sum(s => Replicas(s, 0));
            if (newReplicas < desired && total < desired + 1)
                newSet = WriteObject(msType, newSet, o => o.Obj("spec")["replicas"] = Math.Min(desired, newReplicas + desired + 1 - total));
            var available = sets.Sum(s => (int)(s.Long("status", "availableReplicas") ?? 0));
            var canRemove = available - desired;
            foreach (var old in oldSets)
            {
                if (canRemove <= 0) break;
                var replicas = Replicas(old, 0);
                var remove = Math.Min(canRemove, replicas);
                if (remove <= 0) continue;
                WriteObject(msType, old, o => o.Obj("spec")["replicas"] = replicas - remove);
                canRemove -= remove;
            }
            // Old sets scaled to zero with no machines left are cleaned up (revision history limit 0 in v1beta2).
            foreach (var old in oldSets.Where(s => Replicas(s, 0) == 0 && (s.Long("status", "replicas") ?? 0) == 0 &&
                                                   OwnedBy($"{CoreGroup}/machines", ns, s.Uid()).Count == 0))
                Delete(msType, ns, old.Name());
        }
        var all = OwnedBy($"{CoreGroup}/machinesets", ns, md.Uid());
        var replicasNow = all.Sum(s => (int)(s.Long("status", "replicas") ?? 0));
        var ready = all.Sum(s => (int)(s.Long("status", "readyReplicas") ?? 0));
        var availableNow = all.Sum(s => (int)(s.Long("status", "availableReplicas") ?? 0));
        var upToDate = (int)(newSet.Long("status", "upToDateReplicas") ?? 0);
        var rollingOut = all.Any(s => s.Uid() != newSet.Uid());
        var machines = all.SelectMany(s => OwnedBy($"{CoreGroup}/machines", ns, s.Uid())).ToList();
        var failed = machines.FirstOrDefault(m => Condition(m, "InfrastructureReady")?.Str("reason") == "InstanceCreateFailed");
        WriteStatus(type, md, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            status["selector"] = $"{ClusterNameLabel}={clusterName},{DeploymentNameLabel}={name}";
            status["replicas"] = replicasNow;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = availableNow;
            status["upToDateReplicas"] = upToDate;
            status["phase"] = replicasNow < desired ? "ScalingUp" : replicasNow > desired ? "ScalingDown" : availableNow >= desired ? "Running" : "ScalingUp";
            var isAvailable = availableNow >= desired;
            SetCondition(o, "Available", isAvailable ? "True" : "False", isAvailable ? "Available" : "NotAvailable",
                isAvailable ? "" : $"{availableNow} available replicas, at least {desired} required (spec.strategy.rollout.maxUnavailable is 0, spec.replicas is {desired})", now);
            SetMachineConditions(o, machines, now);
            SetCondition(o, "RollingOut", rollingOut ? "True" : "False", rollingOut ? "RollingOut" : "NotRollingOut",
                rollingOut ? $"Rolling out {machines.Count(m => !IsTrue(m, "UpToDate"))} not up-to-date replicas\n* Version {o.Str("spec", "template", "spec", "version")} required" +
                             (failed is not null ? $"\n* Machine {failed.Name()}: {Condition(failed, "InfrastructureReady")?.Str("message")}" : "") : "", now);
            SetCondition(o, "ScalingUp", replicasNow < desired ? "True" : "False", replicasNow < desired ? "ScalingUp" : "NotScalingUp",
                replicasNow < desired ? $"Scaling up from {replicasNow} to {desired} replicas" : "", now);
            SetCondition(o, "ScalingDown", !rollingOut && replicasNow > desired ? "True" : "False", !rollingOut && replicasNow > desired ? "ScalingDown" : "NotScalingDown",
                !rollingOut && replicasNow > desired ? $"Scaling down from {replicasNow} to {desired} replicas" : "", now);
            SetCondition(o, "Remediating", "False", "NotRemediating", "", now);
            SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
            SetCondition(o, "Paused", "False", "NotPaused", "", now);
        });
    }

    static void SetMachineConditions(JsonObject o, List<JsonObject> machines, string now)
    {
        var notReady = machines.Where(m => !IsTrue(m, "Ready")).ToList();
        SetCondition(o, "MachinesReady", notReady.Count == 0 ? "True" : "False", machines.Count == 0 ? "NoReplicas" : notReady.Count == 0 ? "Ready" : "NotReady",
            notReady.Count == 0 ? "" : $"* Machine {notReady[0].Name()}: {Condition(notReady[0], "Ready")?.Str("message") ?? "Machine is not ready"}", now);
        var outdated = machines.Where(m => !IsTrue(m, "UpToDate")).ToList();
        SetCondition(o, "MachinesUpToDate", outdated.Count == 0 ? "True" : "False", machines.Count == 0 ? "NoReplicas" : outdated.Count == 0 ? "UpToDate" : "NotUpToDate",
            outdated.Count == 0 ? "" : $"* Machine{(outdated.Count > 1 ? "s" : "")} {string.Join(", ", outdated.Take(3).Select(m => m.Name()))}: Machine not up-to-date", now);
    }

    static string TemplateHash(JsonObject template)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString()));
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var sb = new StringBuilder();
        for (var i = 0; i < 5; i++) sb.Append(alphabet[bytes[i] % alphabet.Length]);
        return sb.ToString();
    }

    void ReconcileMachineSet(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("machinesets");
        var ms = Cluster.Registry.TryGet(type, ns, name);
        if (ms is null || ms.IsDeleting()) return;
        var clusterName = ms.Str("spec", "clusterName") ?? "";
        var machineType = CoreType("machines");
        var machines = OwnedBy($"{CoreGroup}/machines", ns, ms.Uid());
        var active = machines.Where(m => !m.IsDeleting()).ToList();
        var desired = Replicas(ms);
        var md = ms.ControllerOf() is { } mdRef && mdRef.Str("kind") == "MachineDeployment" ? Get(CoreGroup, "machinedeployments", ns, mdRef.Str("name")!) : null;
        var version = ms.Str("spec", "template", "spec", "version") ?? Cluster.Options.KubernetesVersion;
        var rollingOut = md is not null && OwnedBy($"{CoreGroup}/machinesets", ns, md.Uid()).Count(s => !s.IsDeleting()) > 1;
        var failure = md is not null ? Annotation(md, UpgradeFailureAnnotation) : Annotation(ms, UpgradeFailureAnnotation);
        if (active.Count < desired)
        {
            for (var i = active.Count; i < desired; i++)
            {
                var labels = new JsonObject { [SetNameLabel] = name };
                foreach (var (k, v) in ms.At("spec", "template", "metadata", "labels").StringMap()) labels[k] = v;
                var machine = CreateMachine(ms, "MachineSet", type.GroupVersion, ObjectMetadataName(name), clusterName, version, labels,
                    ms.At("spec", "template", "spec", "infrastructureRef"), rollingOut && failure.Length > 0, failure);
                _events.Normal(ms, "MachineSet", "SuccessfulCreate", $"Created machine \"{machine.Name()}\"", "machineset-controller");
                active.Add(machine);
            }
        }
        else if (active.Count > desired)
        {
            // Deletion order: machines not running first, then the newest (the "Newest" order; Random is the default).
            foreach (var victim in active.OrderBy(m => m.Str("status", "phase") == "Running" ? 1 : 0)
                         .ThenByDescending(m => m.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ThenByDescending(m => m.Name())
                         .Take(active.Count - desired).ToList())
            {
                Delete(machineType, ns, victim.Name());
                _events.Normal(ms, "MachineSet", "SuccessfulDelete", $"Deleted machine \"{victim.Name()}\"", "machineset-controller");
                active.Remove(victim);
            }
        }
        var now = Now;
        WriteStatus(type, ms, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            status["selector"] = string.Join(",", o.At("spec", "selector", "matchLabels").StringMap().Select(l => $"{l.Key}={l.Value}"));
            status["replicas"] = machines.Count;
            status["readyReplicas"] = machines.Count(m => IsTrue(m, "Ready"));
            status["availableReplicas"] = machines.Count(m => IsTrue(m, "Available") && !m.IsDeleting());
            status["upToDateReplicas"] = machines.Count(m => IsTrue(m, "UpToDate"));
            SetMachineConditions(o, machines, now);
            SetCondition(o, "ScalingUp", machines.Count < desired ? "True" : "False", machines.Count < desired ? "ScalingUp" : "NotScalingUp", "", now);
            SetCondition(o, "ScalingDown", machines.Count > desired ? "True" : "False", machines.Count > desired ? "ScalingDown" : "NotScalingDown", "", now);
            SetCondition(o, "Remediating", "False", "NotRemediating", "", now);
            SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
            SetCondition(o, "Paused", "False", "NotPaused", "", now);
        });
    }
}
