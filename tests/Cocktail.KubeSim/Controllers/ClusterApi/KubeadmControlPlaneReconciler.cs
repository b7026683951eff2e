using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The KubeadmControlPlane controller (controlplane/kubeadm/internal/controllers): waits for the Cluster's
/// infrastructure, writes the kubeconfig secret once the endpoint is known, creates the first machine (init), then
/// scales up one machine at a time once the previous one is healthy; a version change rolls out one machine at a time
/// (scale up a new one, then delete the oldest outdated: maxSurge 1), scale down removes the oldest.
/// </summary>
internal sealed partial class ClusterApiController
{
    const string KcpFinalizer = "kubeadm.controlplane.cluster.x-k8s.io";

    void ReconcileKubeadmControlPlane(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type(ControlPlaneGroup, "kubeadmcontrolplanes");
        var kcp = Cluster.Registry.TryGet(type, ns, name);
        if (kcp is null) return;
        var machineType = CoreType("machines");
        var machines = OwnedBy($"{CoreGroup}/machines", ns, kcp.Uid());
        var now = Now;
        if (kcp.IsDeleting())
        {
            foreach (var m in machines.Where(m => !m.IsDeleting())) Delete(machineType, ns, m.Name());
            if (machines.Count == 0) RemoveFinalizer(type, kcp, KcpFinalizer);
            else WriteStatus(type, kcp, o => SetCondition(o, "Deleting", "True", "WaitingForMachineDeletion", $"* Machines: {machines.Count}", now));
            return;
        }
        var capiCluster = OwnerCluster(kcp);
        if (capiCluster is null) return; // "Cluster Controller has not yet set OwnerRef"
        kcp = AddFinalizer(type, kcp, KcpFinalizer);
        var clusterName = capiCluster.Name();
        var clusterKey = $"{ns}/{clusterName}";
        var desired = Replicas(kcp);
        var version = NormalizeVersion(kcp.Str("spec", "version") ?? Cluster.Options.KubernetesVersion);
        var infraProvisioned = capiCluster.Bool("status", "initialization", "infrastructureProvisioned") == true;
        var workload = Cluster.WorkloadClusters.Get(clusterKey);
        if (infraProvisioned && Host(capiCluster) is not null && workload is not null)
            EnsureKubeconfigSecret(capiCluster, kcp, type.Kind, type.GroupVersion, workload);

        var active = machines.Where(m => !m.IsDeleting()).ToList();
        var running = active.Where(m => m.Str("status", "phase") == "Running").ToList();
        var outdated = active.Where(m => NormalizeVersion(m.Str("spec", "version") ?? "") != version).OrderBy(m => m.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ThenBy(m => m.Name()).ToList();
        var initialized = kcp.Bool("status", "initialization", "controlPlaneInitialized") == true || running.Count > 0;
        var settled = active.Count == running.Count && machines.Count == active.Count;
        string? scaling = null;
        if (infraProvisioned)
        {
            if (active.Count == 0 && machines.Count == 0) scaling = "up";
            else if (initialized && settled)
            {
                if (outdated.Count > 0) scaling = active.Count <= desired ? "up" : "down";
                else if (active.Count < desired) scaling = "up";
                else if (active.Count > desired) scaling = "down";
            }
        }
        if (scaling == "up" && Due("KCP|" + key, kcp.Uid(), $"scale-up-{active.Count}"))
        {
            var rollout = outdated.Count > 0;
            var failure = Annotation(kcp, UpgradeFailureAnnotation);
            var machine = CreateMachine(kcp, "KubeadmControlPlane", type.GroupVersion, ObjectMetadataName(name), clusterName, version,
                new JsonObject { [ControlPlaneLabel] = "", [ControlPlaneNameLabel] = name }, kcp.At("spec", "machineTemplate", "spec", "infrastructureRef"),
                rollout && failure.Length > 0, failure);
            _events.Normal(kcp, type.Kind, "SuccessfulCreate", $"Created machine {machine.Name()}", "kubeadm-control-plane-controller");
            active.Add(machine);
        }
        else if (scaling == "down")
        {
            var victim = outdated.Count > 0 ? outdated[0] : active.OrderBy(m => m.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ThenBy(m => m.Name()).First();
            Delete(machineType, ns, victim.Name());
            _events.Normal(kcp, type.Kind, "SuccessfulDelete", $"Deleted machine {victim.Name()}", "kubeadm-control-plane-controller");
            active.Remove(victim);
        }
        // The workload cluster's /version follows the API servers: the oldest one still running answers for all.
        if (workload is not null && running.Count > 0)
            workload.Runtime.KubernetesVersion = outdated.FirstOrDefault(m => m.Str("status", "phase") == "Running") is { } old
                ? NormalizeVersion(old.Str("spec", "version")!) : version;

        var ready = running.Count;
        var upToDate = active.Count - outdated.Count;
        var minVersion = running.Select(m => NormalizeVersion(m.Str("spec", "version") ?? version)).OrderBy(v => v, StringComparer.Ordinal).FirstOrDefault();
        var failedMachine = active.FirstOrDefault(m => Condition(m, "InfrastructureReady")?.Str("reason") == "InstanceCreateFailed");
        WriteStatus(type, kcp, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            status["selector"] = $"{ClusterNameLabel}={clusterName},{ControlPlaneLabel}";
            status["replicas"] = active.Count;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = ready;
            status["upToDateReplicas"] = upToDate;
            if (minVersion is not null) status["version"] = minVersion;
            status.Obj("initialization")["controlPlaneInitialized"] = initialized;
            SetCondition(o, "Initialized", initialized ? "True" : "False", initialized ? "Initialized" : "NotInitialized",
                initialized ? "" : "Control plane not yet initialized", now);
            var available = initialized && ready > 0;
            SetCondition(o, "Available", available ? "True" : "False", available ? "Available" : "NotAvailable",
                available ? "" : initialized ? "There are no Machines with healthy control plane components" : "Control plane not yet initialized", now);
            SetCondition(o, "CertificatesAvailable", "True", "Available", "", now);
            SetCondition(o, "EtcdClusterHealthy", initialized ? "True" : "Unknown", initialized ? "Healthy" : "InspectionFailed", initialized ? "" : "Waiting for Cluster control plane to be initialized", now);
            SetCondition(o, "ControlPlaneComponentsHealthy", initialized ? "True" : "Unknown", initialized ? "Healthy" : "InspectionFailed", initialized ? "" : "Waiting for Cluster control plane to be initialized", now);
            var notReady = active.Where(m => m.Str("status", "phase") != "Running").ToList();
            SetCondition(o, "MachinesReady", notReady.Count == 0 ? "True" : "False", active.Count == 0 ? "NoReplicas" : notReady.Count == 0 ? "Ready" : "NotReady",
                notReady.Count == 0 ? "" : $"* Machine {notReady[0].Name()}: {Condition(notReady[0], "Ready")?.Str("message") ?? "Machine is not ready"}", now);
            SetCondition(o, "MachinesUpToDate", outdated.Count == 0 ? "True" : "False", active.Count == 0 ? "NoReplicas" : outdated.Count == 0 ? "UpToDate" : "NotUpToDate",
                outdated.Count == 0 ? "" : $"* Machine{(outdated.Count > 1 ? "s" : "")} {string.Join(", ", outdated.Select(m => m.Name()))}: Version {outdated[0].Str("spec", "version")}, {version} required", now);
            SetCondition(o, "RollingOut", outdated.Count > 0 ? "True" : "False", outdated.Count > 0 ? "RollingOut" : "NotRollingOut",
                outdated.Count > 0 ? $"Rolling out {outdated.Count} not up-to-date replicas\n* Version {outdated[0].Str("spec", "version")}, {version} required" +
                                     (failedMachine is not null ? $"\n* Machine {failedMachine.Name()}: {Condition(failedMachine, "InfrastructureReady")?.Str("message")}" : "") : "", now);
            var scalingUp = active.Count < desired;
            SetCondition(o, "ScalingUp", scalingUp ? "True" : "False", scalingUp ? "ScalingUp" : "NotScalingUp",
                scalingUp ? $"Scaling up from {active.Count} to {desired} replicas" : "", now);
            var scalingDown = active.Count - outdated.Count > desired || (outdated.Count == 0 && active.Count > desired);
            SetCondition(o, "ScalingDown", scalingDown ? "True" : "False", scalingDown ? "ScalingDown" : "NotScalingDown",
                scalingDown ? $"Scaling down from {active.Count} to {desired} replicas" : "", now);
            SetCondition(o, "Remediating", "False", "NotRemediating", "", now);
            SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
            SetCondition(o, "Paused", "False", "NotPaused", "", now);
        });
    }

    /// <summary>Machine names as the default naming template "{{ .kubeadmControlPlane.name }}-{{ .random }}".</summary>
    static string ObjectMetadataName(string prefix) => ObjectMetadata.GenerateName(prefix + "-");
}
