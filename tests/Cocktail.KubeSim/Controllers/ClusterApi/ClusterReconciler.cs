using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The cluster controller (internal/controllers/cluster): finalizer, owner references on the infrastructure and
/// control plane objects, phases (Pending → Provisioning → Provisioned, Deleting), status.initialization, the
/// controlPlane/workers counters and the v1beta2 conditions; deletion tears the cluster down in the real order.
/// </summary>
internal sealed partial class ClusterApiController
{
    const string ClusterFinalizer = "cluster.cluster.x-k8s.io";

    void ReconcileCluster(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("clusters");
        var capiCluster = Cluster.Registry.TryGet(type, ns, name);
        if (capiCluster is null)
        {
            Cluster.WorkloadClusters.Stop(key);
            return;
        }
        if (capiCluster.IsDeleting())
        {
            ReconcileClusterDeletion(type, capiCluster, key);
            return;
        }
        capiCluster = AddFinalizer(type, capiCluster, ClusterFinalizer);
        string? topologyError = null;
        if (capiCluster.At("spec", "topology") is JsonObject)
        {
            topologyError = ReconcileTopology(type, ref capiCluster);
        }
        var now = Now;
        var (infraType, infra) = Resolve(capiCluster.At("spec", "infrastructureRef"), ns);
        var (cpType, cp) = Resolve(capiCluster.At("spec", "controlPlaneRef"), ns);
        var owner = ClusterOwnerRef(capiCluster);
        if (infraType is not null && infra is not null)
        {
            infra = WriteObject(infraType, infra, o => EnsureOwner(o, owner, name));
            if (!InfrastructureProviders.IsReady(infra) && InfrastructureProviders.ClusterKinds.ContainsKey(infraType.StorageKey))
                Enqueue($"Infra|{infraType.StorageKey}|{ns}/{infra.Name()}");
        }
        if (cpType is not null && cp is not null) cp = WriteObject(cpType, cp, o => EnsureOwner(o, owner, name));

        var infraProvisioned = infra is not null && InfrastructureProviders.IsReady(infra);
        var cpInitialized = cp is not null && (cp.Bool("status", "initialization", "controlPlaneInitialized") == true || cp.Bool("status", "initialized") == true);
        // The endpoint comes from the infrastructure cluster, else from the control plane (v1beta2 contract).
        if (Host(capiCluster) is null &&
            ((infraProvisioned && infra is not null ? Endpoint(infra) : null) ?? (cp is not null ? Endpoint(cp) : null)) is { } endpoint)
            capiCluster = WriteObject(type, capiCluster, o => o.Obj("spec")["controlPlaneEndpoint"] = endpoint.DeepClone());

        var phase = capiCluster.Str("status", "phase");
        if (phase is null) { WriteStatus(type, capiCluster, o => o.Obj("status")["phase"] = "Pending"); return; }
        if (phase == "Pending" && Due("Cluster|" + key, capiCluster.Uid(), "pending")) phase = "Provisioning";
        if (phase == "Provisioning" && infraProvisioned && Host(capiCluster) is not null) phase = "Provisioned";

        var machines = ListCore("machines", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var cpMachines = machines.Where(m => m.At("metadata", "labels", ControlPlaneLabel) is not null).ToList();
        var workerMachines = machines.Except(cpMachines).ToList();
        var mds = ListCore("machinedeployments", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var mps = ListCore("machinepools", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var answering = Cluster.WorkloadClusters.IsAnswering(key);
        var finalPhase = phase;
        WriteStatus(type, capiCluster, o =>
        {
            var status = o.Obj("status");
            status["phase"] = finalPhase;
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            var init = status.Obj("initialization");
            init["infrastructureProvisioned"] = infraProvisioned;
            init["controlPlaneInitialized"] = cpInitialized;
            if (cp is not null)
            {
                var cpStatus = status.Obj("controlPlane");
                if (cp.Long("spec", "replicas") is { } desired)
                {
                    cpStatus["desiredReplicas"] = desired;
                    foreach (var f in new[] { "replicas", "readyReplicas", "availableReplicas", "upToDateReplicas" })
                        cpStatus[f] = cp.Long("status", f) ?? 0;
                }
                else status.Remove("controlPlane");
            }
            var workers = status.Obj("workers");
            workers["desiredReplicas"] = mds.Sum(m => Replicas(m)) + mps.Sum(m => Replicas(m));
            foreach (var f in new[] { "replicas", "readyReplicas", "availableReplicas", "upToDateReplicas" })
                workers[f] = mds.Sum(m => m.Long("status", f) ?? 0) + mps.Sum(m => m.Long("status", f) ?? 0);
            ClusterConditions(o, infra, infraType?.Kind, cp, cpType?.Kind, cpInitialized, mds, mps, cpMachines, workerMachines, answering, topologyError, now);
        });
    }

    static string? Host(JsonObject capiCluster) => capiCluster.Str("spec", "controlPlaneEndpoint", "host") is { Length: > 0 } h ? h : null;

    void ClusterConditions(JsonObject o, JsonObject? infra, string? infraKind, JsonObject? cp, string? cpKind, bool cpInitialized,
        List<JsonObject> mds, List<JsonObject> mps, List<JsonObject> cpMachines, List<JsonObject> workerMachines, bool answering, string? topologyError, string now)
    {
        // InfrastructureReady mirrors the infrastructure cluster's Ready condition, else falls back on its
        // provisioned/ready field (cluster_controller_status.go setInfrastructureReadyCondition).
        if (infra is null)
            SetCondition(o, "InfrastructureReady", "False", "InfrastructureDoesNotExist",
                o.At("spec", "infrastructureRef") is null ? "Waiting for cluster topology to be reconciled" : $"{o.Str("spec", "infrastructureRef", "kind")} does not exist", now);
        else if (Condition(infra, "Ready") is { } ready && ready.Str("status") is { } readyStatus)
            SetCondition(o, "InfrastructureReady", readyStatus, ready.Str("reason") ?? (readyStatus == "True" ? "Ready" : "NotReady"), ready.Str("message") ?? "", now);
        else if (InfrastructureProviders.IsReady(infra)) SetCondition(o, "InfrastructureReady", "True", "Ready", "", now);
        else SetCondition(o, "InfrastructureReady", "False", "NotReady", $"{infraKind} status.initialization.provisioned is false", now);

        if (cp is null)
        {
            var msg = o.At("spec", "controlPlaneRef") is null ? "Waiting for cluster topology to be reconciled" : $"{o.Str("spec", "controlPlaneRef", "kind")} does not exist";
            SetCondition(o, "ControlPlaneInitialized", "False", "ControlPlaneDoesNotExist", msg, now);
            SetCondition(o, "ControlPlaneAvailable", "False", "ControlPlaneDoesNotExist", msg, now);
        }
        else
        {
            SetCondition(o, "ControlPlaneInitialized", cpInitialized ? "True" : "False", cpInitialized ? "Initialized" : "NotInitialized",
                cpInitialized ? "" : "Control plane not yet initialized", now);
            if (Condition(cp, "Available") is { } available && available.Str("status") is { } s)
                SetCondition(o, "ControlPlaneAvailable", s, available.Str("reason") ?? (s == "True" ? "Available" : "NotAvailable"), available.Str("message") ?? "", now);
            else if (cpInitialized && cp.Bool("status", "ready") != false) SetCondition(o, "ControlPlaneAvailable", "True", "Available", "", now);
            else SetCondition(o, "ControlPlaneAvailable", "False", "NotAvailable", $"{cpKind} status.initialization.controlPlaneInitialized is false", now);
        }

        var pools = mds.Concat(mps).ToList();
        if (pools.Count == 0) SetCondition(o, "WorkersAvailable", "True", "NoWorkers", "", now);
        else
        {
            var notAvailable = pools.Where(p => !IsTrue(p, "Available")).ToList();
            SetCondition(o, "WorkersAvailable", notAvailable.Count == 0 ? "True" : "False", notAvailable.Count == 0 ? "Available" : "NotAvailable",
                string.Join("\n", notAvailable.Select(p => $"* {(mds.Contains(p) ? "MachineDeployment" : "MachinePool")} {p.Name()}: {Condition(p, "Available")?.Str("message") ?? "Available condition not yet reported"}")), now);
        }
        Aggregate(o, "ControlPlaneMachinesReady", cpMachines, "Ready", "Ready", "NotReady", now);
        Aggregate(o, "WorkerMachinesReady", workerMachines, "Ready", "Ready", "NotReady", now);
        Aggregate(o, "ControlPlaneMachinesUpToDate", cpMachines, "UpToDate", "UpToDate", "NotUpToDate", now);
        Aggregate(o, "WorkerMachinesUpToDate", workerMachines, "UpToDate", "UpToDate", "NotUpToDate", now);

        // The connection probe runs once the control plane is initialized (ClusterCache health checking).
        SetCondition(o, "RemoteConnectionProbe", answering && cpInitialized ? "True" : "False", answering && cpInitialized ? "ProbeSucceeded" : "ProbeFailed",
            answering && cpInitialized ? "" : "Remote connection not established yet", now);

        var rollingOut = (cp is not null && IsTrue(cp, "RollingOut")) || pools.Any(p => IsTrue(p, "RollingOut"));
        SetCondition(o, "RollingOut", rollingOut ? "True" : "False", rollingOut ? "RollingOut" : "NotRollingOut",
            rollingOut ? string.Join("\n", new[] { cp }.Concat(pools).OfType<JsonObject>().Where(p => IsTrue(p, "RollingOut")).Select(p => $"* {p.Name()}: {Condition(p, "RollingOut")?.Str("message")}")) : "", now);
        var scalingUp = (cp is not null && IsTrue(cp, "ScalingUp")) || pools.Any(p => IsTrue(p, "ScalingUp"));
        SetCondition(o, "ScalingUp", scalingUp ? "True" : "False", scalingUp ? "ScalingUp" : "NotScalingUp", "", now);
        var scalingDown = (cp is not null && IsTrue(cp, "ScalingDown")) || pools.Any(p => IsTrue(p, "ScalingDown"));
        SetCondition(o, "ScalingDown", scalingDown ? "True" : "False", scalingDown ? "ScalingDown" : "NotScalingDown", "", now);
        SetCondition(o, "Remediating", "False", "NotRemediating", "", now);
        SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
        SetCondition(o, "Paused", o.Bool("spec", "paused") == true ? "True" : "False", o.Bool("spec", "paused") == true ? "Paused" : "NotPaused", "", now);
        if (o.At("spec", "topology") is JsonObject)
        {
            if (topologyError is not null) SetCondition(o, "TopologyReconciled", "False", "ReconcileFailed", topologyError, now);
        }

        // Available summarizes InfrastructureReady, ControlPlaneAvailable, WorkersAvailable, RemoteConnectionProbe
        // (and TopologyReconciled failures), listing the issues as "* Type: message" (cluster_controller_status.go).
        var summary = new[] { "InfrastructureReady", "ControlPlaneAvailable", "WorkersAvailable", "RemoteConnectionProbe" }
            .Select(t => Condition(o, t)).OfType<JsonObject>().Where(c => c.Str("status") != "True").ToList();
        if (Condition(o, "TopologyReconciled") is { } topology && topology.Str("status") == "False" &&
            topology.Str("reason") is "ReconcileFailed" or "ClusterClassNotReconciled") summary.Add(topology);
        SetCondition(o, "Available", summary.Count == 0 ? "True" : "False", summary.Count == 0 ? "Available" : "NotAvailable",
            string.Join("\n", summary.Select(c => $"* {c.Str("type")}: {(c.Str("message") is { Length: > 0 } m ? m.Replace("\n", "\n  ") : c.Str("reason"))}")), now);
    }

    static void Aggregate(JsonObject o, string type, List<JsonObject> machines, string machineCondition, string trueReason, string falseReason, string now)
    {
        if (machines.Count == 0) { SetCondition(o, type, "True", "NoReplicas", "", now); return; }
        var bad = machines.Where(m => !IsTrue(m, machineCondition)).ToList();
        SetCondition(o, type, bad.Count == 0 ? "True" : "False", bad.Count == 0 ? trueReason : falseReason,
            bad.Count == 0 ? "" : $"* Machine{(bad.Count > 1 ? "s" : "")} {string.Join(", ", bad.Take(3).Select(m => m.Name()))}{(bad.Count > 3 ? ", ..." : "")}: {Condition(bad[0], machineCondition)?.Str("message") ?? "Condition not yet reported"}", now);
    }

    /// <summary>
    /// Deletion (cluster_controller.go reconcileDelete): workers (MachineDeployments, MachinePools) go first, then the
    /// control plane, then the infrastructure cluster; the workload cluster stops, the kubeconfig secret goes and the
    /// finalizer is removed.
    /// </summary>
    void ReconcileClusterDeletion(Discovery.ResourceType type, JsonObject capiCluster, string key)
    {
        var (ns, name) = Split(key);
        var now = Now;
        var mds = ListCore("machinedeployments", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var mps = ListCore("machinepools", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var workerMachines = ListCore("machines", ns).Where(m => m.Str("spec", "clusterName") == name && m.At("metadata", "labels", ControlPlaneLabel) is null).ToList();
        var machineSets = ListCore("machinesets", ns).Where(m => m.Str("spec", "clusterName") == name).ToList();
        var (cpType, cp) = Resolve(capiCluster.At("spec", "controlPlaneRef"), ns);
        var (infraType, infra) = Resolve(capiCluster.At("spec", "infrastructureRef"), ns);
        string reason, message;
        if (mds.Count + mps.Count + machineSets.Count + workerMachines.Count > 0)
        {
            foreach (var md in mds.Where(m => !m.IsDeleting())) Delete(CoreType("machinedeployments"), ns, md.Name());
            foreach (var mp in mps.Where(m => !m.IsDeleting())) Delete(CoreType("machinepools"), ns, mp.Name());
            reason = "WaitingForWorkersDeletion";
            message = $"* MachineDeployments: {mds.Count}\n* MachinePools: {mps.Count}\n* Worker Machines: {workerMachines.Count}";
        }
        else if (cp is not null && cpType is not null)
        {
            if (!cp.IsDeleting()) Delete(cpType, ns, cp.Name());
            reason = "WaitingForControlPlaneDeletion";
            message = $"* {cpType.Kind} {cp.Name()} is deleting";
        }
        else if (infra is not null && infraType is not null)
        {
            if (!infra.IsDeleting()) Delete(infraType, ns, infra.Name());
            reason = "WaitingForInfrastructureDeletion";
            message = $"* {infraType.Kind} {infra.Name()} is deleting";
        }
        else
        {
            Cluster.WorkloadClusters.Stop(key);
            Delete(Cluster.Type("", "secrets"), ns, $"{name}-kubeconfig");
            Forget(capiCluster.Uid());
            RemoveFinalizer(type, capiCluster, ClusterFinalizer);
            return;
        }
        WriteStatus(type, capiCluster, o =>
        {
            o.Obj("status")["phase"] = "Deleting";
            SetCondition(o, "Deleting", "True", reason, message, now);
            SetCondition(o, "Available", "False", "NotAvailable", "* Deleting: Cluster is deleting", now);
            if (o.At("spec", "topology") is JsonObject) SetCondition(o, "TopologyReconciled", "False", "Deleting", "Cluster is deleting", now);
        });
        Schedule(Step, () => Enqueue("Cluster|" + key));
    }

    /// <summary>
    /// The Secret <c>&lt;cluster&gt;-kubeconfig</c> as util/kubeconfig CreateSecretWithOwner writes it: type
    /// cluster.x-k8s.io/secret, the cluster-name label, the control plane as controller owner, key "value" holding a
    /// kubeconfig for user &lt;cluster&gt;-admin (a kubernetes-admin/system:masters client certificate from the
    /// cluster's CA, valid a year) in context &lt;cluster&gt;-admin@&lt;cluster&gt;.
    /// </summary>
    void EnsureKubeconfigSecret(JsonObject capiCluster, JsonObject controlPlane, string cpKind, string cpApiVersion, KubeSimCluster workload)
    {
        var ns = capiCluster.Namespace();
        var secretName = $"{capiCluster.Name()}-kubeconfig";
        var secrets = Cluster.Type("", "secrets");
        if (Cluster.Registry.TryGet(secrets, ns, secretName) is not null) return;
        var clusterName = capiCluster.Name();
        var user = $"{clusterName}-admin";
        var context = $"{user}@{clusterName}";
        var issued = workload.IssueClientCertificate("kubernetes-admin", ["system:masters"], Cluster.Time.GetUtcNow().AddYears(1));
        var yaml = new StringBuilder()
            .Append("apiVersion: v1\nclusters:\n- cluster:\n")
            .Append($"    certificate-authority-data: {workload.CaData}\n    server: {workload.Server}\n  name: {clusterName}\n")
            .Append($"contexts:\n- context:\n    cluster: {clusterName}\n    user: {user}\n  name: {context}\n")
            .Append($"current-context: {context}\nkind: Config\npreferences: {{}}\n")
            .Append($"users:\n- name: {user}\n  user:\n    client-certificate-data: {issued.CertificateData}\n    client-key-data: {issued.KeyData}\n")
            .ToString();
        Create(secrets, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = secretName,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [ClusterNameLabel] = clusterName },
                ["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(controlPlane, cpApiVersion, cpKind)),
            },
            ["type"] = "cluster.x-k8s.io/secret",
            ["data"] = new JsonObject { ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(yaml)) },
        });
    }
}
