using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The machine controller with its bootstrap and infrastructure providers: Pending (bootstrap data; joining
/// machines wait for the control plane to be initialized, as kubeadm join does) → Provisioning (the instance) →
/// Provisioned (providerID, addresses) → Running (the node registered in the workload cluster, nodeRef set);
/// Deleting drains and removes the node, then the finalizer.
/// </summary>
internal sealed partial class ClusterApiController
{
    const string MachineFinalizer = "machine.cluster.x-k8s.io";

    /// <summary>A Machine as KubeadmControlPlane / MachineSet create it, from the owner's infrastructure template.</summary>
    JsonObject CreateMachine(JsonObject owner, string ownerKind, string ownerApiVersion, string name, string clusterName, string version,
        JsonObject labels, JsonNode? infraTemplateRef, bool failing, string? failureMessage)
    {
        var infraRef = infraTemplateRef is JsonObject t
            ? V1Beta2Ref(t.Str("apiGroup") ?? GroupOf(t.Str("apiVersion")), (t.Str("kind") ?? "").EndsWith("Template") ? t.Str("kind")![..^"Template".Length] : t.Str("kind") ?? "", name)
            : V1Beta2Ref(InfrastructureGroup, "Machine", name);
        var annotations = new JsonObject();
        if (failing) annotations[ProvisionFailureAnnotation] = failureMessage ?? "instance creation failed";
        labels[ClusterNameLabel] = clusterName;
        return Create(CoreType("machines"), owner.Namespace(), new JsonObject
        {
            ["apiVersion"] = $"{CoreGroup}/v1beta2",
            ["kind"] = "Machine",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = owner.Namespace(), ["labels"] = labels, ["annotations"] = annotations,
                ["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(owner, ownerApiVersion, ownerKind)),
            },
            ["spec"] = new JsonObject
            {
                ["clusterName"] = clusterName,
                ["version"] = version,
                ["bootstrap"] = new JsonObject { ["configRef"] = V1Beta2Ref(BootstrapGroup, "KubeadmConfig", name) },
                ["infrastructureRef"] = infraRef,
            },
        });
    }

    void ReconcileMachine(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("machines");
        var machine = Cluster.Registry.TryGet(type, ns, name);
        if (machine is null) return;
        var clusterName = machine.Str("spec", "clusterName") ?? "";
        var clusterKey = $"{ns}/{clusterName}";
        var machineKey = "Machine|" + key;
        var now = Now;
        if (machine.IsDeleting())
        {
            if (!machine.Finalizers().Contains(MachineFinalizer)) return;
            WriteStatus(type, machine, o =>
            {
                o.Obj("status")["phase"] = "Deleting";
                SetCondition(o, "Deleting", "True", "DrainingNode", o.Str("status", "nodeRef", "name") is { } n ? $"Drain not completed yet:\n* Node {n}" : "", now);
                SetCondition(o, "Available", "False", "NotAvailable", "* Deleting: Machine deletion in progress", now);
                SetCondition(o, "Ready", "False", "NotReady", "* Deleting: Machine deletion in progress", now);
            });
            if (!Due(machineKey, machine.Uid(), "delete")) return;
            if (machine.Str("status", "nodeRef", "name") is { } nodeName && Cluster.WorkloadClusters.Get(clusterKey) is { } workload)
            {
                try { workload.Objects.Delete("v1", "Node", nodeName); } catch (Http.ApiException e) when (e.Code == 404) { }
            }
            Forget(machine.Uid());
            RemoveFinalizer(type, machine, MachineFinalizer);
            return;
        }
        machine = AddFinalizer(type, machine, MachineFinalizer);
        var capiCluster = Get(CoreGroup, "clusters", ns, clusterName);
        if (capiCluster is null) return;
        var isControlPlane = machine.At("metadata", "labels", ControlPlaneLabel) is not null;
        var cpInitialized = capiCluster.Bool("status", "initialization", "controlPlaneInitialized") == true;
        var phase = machine.Str("status", "phase");
        var version = NormalizeVersion(machine.Str("spec", "version") ?? Cluster.Options.KubernetesVersion);
        var upToDate = IsUpToDate(machine);
        switch (phase)
        {
            case null:
                WriteStatus(type, machine, o => MachineStatus(o, "Pending", upToDate, now));
                return;
            case "Pending":
                // kubeadm join needs an initialized control plane; only the first control plane machine inits.
                if (!cpInitialized && !isControlPlane) { WriteStatus(type, machine, o => MachineStatus(o, "Pending", upToDate, now)); return; }
                if (!Due(machineKey, machine.Uid(), "bootstrap")) return;
                machine = WriteObject(type, machine, o => o.Obj("spec").Obj("bootstrap")["dataSecretName"] = o.Name());
                WriteStatus(type, machine, o =>
                {
                    o.Obj("status").Obj("initialization")["bootstrapDataSecretCreated"] = true;
                    MachineStatus(o, "Provisioning", upToDate, now);
                });
                return;
            case "Provisioning":
            {
                var failure = Annotation(machine, ProvisionFailureAnnotation);
                if (failure.Length > 0)
                {
                    if (!Due(machineKey, machine.Uid(), "fail")) return;
                    var wasFailed = Condition(machine, "InfrastructureReady")?.Str("reason") == "InstanceCreateFailed";
                    WriteStatus(type, machine, o =>
                    {
                        MachineStatus(o, "Provisioning", upToDate, now);
                        SetCondition(o, "InfrastructureReady", "False", "InstanceCreateFailed", failure, now);
                        SetCondition(o, "Ready", "False", "NotReady", $"* InfrastructureReady: {failure}", now);
                    });
                    if (!wasFailed) _events.Warning(machine, "Machine", "InstanceCreateFailed", failure, "machine-controller");
                    return;
                }
                if (!Due(machineKey, machine.Uid(), "infrastructure")) return;
                var scheme = InfrastructureProviders.ClusterKinds.Values.FirstOrDefault(k =>
                    string.Equals(k.Provider, ProviderOf(machine.Str("spec", "infrastructureRef", "kind")), StringComparison.OrdinalIgnoreCase))?.ProviderIdScheme ?? "kubesim://";
                machine = WriteObject(type, machine, o => o.Obj("spec")["providerID"] = scheme + o.Name());
                var address = $"10.{Math.Abs(machine.Uid().GetHashCode()) % 250}.{Math.Abs(name.GetHashCode()) % 250}.{2 + Math.Abs((name + "x").GetHashCode()) % 250}";
                WriteStatus(type, machine, o =>
                {
                    o.Obj("status").Obj("initialization")["infrastructureProvisioned"] = true;
                    o.Obj("status")["addresses"] = new JsonArray(
                        new JsonObject { ["type"] = "InternalIP", ["address"] = address },
                        new JsonObject { ["type"] = "Hostname", ["address"] = o.Name() });
                    MachineStatus(o, "Provisioned", upToDate, now);
                });
                return;
            }
            case "Provisioned":
            {
                // The first control plane machine brings the API server up: the endpoint starts answering.
                var answering = isControlPlane
                    ? Cluster.WorkloadClusters.EnsureAnswering(clusterKey, () => Enqueue(machineKey))
                    : Cluster.WorkloadClusters.IsAnswering(clusterKey);
                if (!answering) return;
                if (!Due(machineKey, machine.Uid(), "node")) return;
                var workload = Cluster.WorkloadClusters.Get(clusterKey);
                if (workload is null) return;
                var labels = new Dictionary<string, string>();
                if (isControlPlane) labels["node-role.kubernetes.io/control-plane"] = "";
                var node = WorkloadClusters.EnsureNode(workload, machine.Name(), version, new Dictionary<string, string>
                {
                    ["cluster.x-k8s.io/machine"] = machine.Name(),
                    ["cluster.x-k8s.io/owner-kind"] = machine.ControllerOf()?.Str("kind") ?? "",
                    ["cluster.x-k8s.io/owner-name"] = machine.ControllerOf()?.Str("name") ?? "",
                    ["cluster.x-k8s.io/cluster-name"] = clusterName,
                    ["cluster.x-k8s.io/cluster-namespace"] = ns,
                }, labels, now);
                WriteStatus(type, machine, o =>
                {
                    o.Obj("status")["nodeRef"] = new JsonObject { ["name"] = node.Name() };
                    var info = node.At("status", "nodeInfo")?.DeepClone() as JsonObject ?? new JsonObject();
                    info.Remove("swap");
                    o.Obj("status")["nodeInfo"] = info;
                    MachineStatus(o, "Running", upToDate, now);
                });
                return;
            }
            default:
                WriteStatus(type, machine, o => MachineStatus(o, phase, upToDate, now));
                return;
        }
    }

    static string ProviderOf(string? infraMachineKind) => infraMachineKind switch
    {
        { } k when k.StartsWith("OpenStack", StringComparison.Ordinal) => "openstack",
        { } k when k.StartsWith("VSphere", StringComparison.Ordinal) => "vsphere",
        { } k when k.StartsWith("Metal3", StringComparison.Ordinal) => "metal3",
        { } k when k.StartsWith("AWS", StringComparison.Ordinal) => "aws",
        { } k when k.StartsWith("Azure", StringComparison.Ordinal) => "azure",
        { } k when k.StartsWith("GCP", StringComparison.Ordinal) => "gcp",
        _ => "kubesim",
    };

    /// <summary>Whether the machine matches what its owner wants now (the version: KubeSim rolls out on version changes).</summary>
    bool IsUpToDate(JsonObject machine)
    {
        var owner = machine.ControllerOf();
        var version = machine.Str("spec", "version");
        if (owner is null) return true;
        var ns = machine.Namespace();
        if (owner.Str("kind") == "KubeadmControlPlane")
            return Get(ControlPlaneGroup, "kubeadmcontrolplanes", ns, owner.Str("name")!) is not { } kcp || kcp.Str("spec", "version") == version;
        if (owner.Str("kind") == "MachineSet" && Get(CoreGroup, "machinesets", ns, owner.Str("name")!) is { } ms)
        {
            var md = ms.ControllerOf() is { } mdRef ? Get(CoreGroup, "machinedeployments", ns, mdRef.Str("name")!) : null;
            return (md ?? ms).Str("spec", "template", "spec", "version") == version;
        }
        return true;
    }

    /// <summary>Phase and the v1beta2 conditions of a machine in that phase (machine_controller_status.go).</summary>
    static void MachineStatus(JsonObject o, string phase, bool upToDate, string now)
    {
        var status = o.Obj("status");
        status["phase"] = phase;
        status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
        var bootstrapped = phase is not "Pending";
        var provisioned = phase is "Provisioned" or "Running";
        var running = phase == "Running";
        var init = status.Obj("initialization");
        init["bootstrapDataSecretCreated"] = bootstrapped;
        init["infrastructureProvisioned"] = provisioned;
        SetCondition(o, "BootstrapConfigReady", bootstrapped ? "True" : "False", bootstrapped ? "Ready" : "NotReady",
            bootstrapped ? "" : "KubeadmConfig status.initialization.dataSecretCreated is false", now);
        if (!(Condition(o, "InfrastructureReady")?.Str("reason") == "InstanceCreateFailed" && !provisioned))
            SetCondition(o, "InfrastructureReady", provisioned ? "True" : "False", provisioned ? "Ready" : "NotReady",
                provisioned ? "" : $"{o.Str("spec", "infrastructureRef", "kind")} status.initialization.provisioned is false", now);
        SetCondition(o, "NodeReady", running ? "True" : "False", running ? "NodeReady" : "NodeDoesNotExist", running ? "" : "Waiting for a Node with spec.providerID to exist", now);
        SetCondition(o, "NodeHealthy", running ? "True" : "False", running ? "NodeHealthy" : "NodeDoesNotExist", running ? "" : "Waiting for a Node with spec.providerID to exist", now);
        SetCondition(o, "UpToDate", upToDate ? "True" : "False", upToDate ? "UpToDate" : "NotUpToDate", upToDate ? "" : "* Version " + o.Str("spec", "version") + " is not the one desired", now);
        SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
        SetCondition(o, "Paused", "False", "NotPaused", "", now);
        if (Condition(o, "InfrastructureReady")?.Str("reason") != "InstanceCreateFailed" || provisioned)
            SetCondition(o, "Ready", running ? "True" : "False", running ? "Ready" : "NotReady",
                running ? "" : phase == "Pending" ? "* BootstrapConfigReady: KubeadmConfig status.initialization.dataSecretCreated is false" :
                phase == "Provisioning" ? "* InfrastructureReady: infrastructure not yet provisioned" : "* NodeHealthy: Waiting for a Node with spec.providerID to exist", now);
        SetCondition(o, "Available", running ? "True" : "False", running ? "Available" : "NotAvailable", running ? "" : "* Ready: Machine is not ready", now);
    }
}
