using System.Text.Json.Nodes;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The kubelets registering their nodes: each node reports capacity/allocatable (cpu, memory, pods,
/// nvidia.com/gpu), Ready and pressure conditions, addresses and node info, like a freshly joined worker.
/// </summary>
internal sealed class NodeController(ClusterRuntime cluster) : Controller(cluster)
{
    public override IEnumerable<string> KeysFor(StoreEvent change) => [];

    public override void Reconcile(string key) { }

    public override void Start()
    {
        var nodes = Cluster.Type("", "nodes");
        for (var i = 0; i < Cluster.Options.Nodes; i++)
        {
            var name = $"{Cluster.Options.Name}-node-{i}";
            if (Cluster.Registry.TryGet(nodes, "", name) is not null) continue;
            var shape = i < Cluster.Options.NodeShapes.Count ? Cluster.Options.NodeShapes[i] : Cluster.Options.NodeShape;
            var node = Cluster.Registry.Create(nodes, "", NodeObject(name, i, shape, ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow()), Cluster.KubernetesVersion),
                WriteOptions.Internal("kubelet"));
            CreateLease(node);
        }
    }

    /// <summary>The kubelet's heartbeat Lease in kube-node-lease (registered once; KubeSim does not renew it).</summary>
    internal void CreateLease(JsonObject node)
    {
        var leases = Cluster.Type("coordination.k8s.io", "leases");
        if (Cluster.Registry.TryGet(leases, "kube-node-lease", node.Name()) is not null) return;
        Cluster.Registry.Create(leases, "kube-node-lease", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = node.Name(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = node.Name(), ["uid"] = node.Uid(),
                }),
            },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = node.Name(),
                ["leaseDurationSeconds"] = 40,
                ["renewTime"] = ObjectMetadata.MicroTimestamp(Cluster.Time.GetUtcNow()),
            },
        }, WriteOptions.Internal("kubelet"));
    }

    /// <summary>A freshly registered node as its kubelet reports it (also used for Cluster API workload clusters' nodes).</summary>
    internal static JsonObject NodeObject(string name, int index, NodeShape shape, string now, string kubeletVersion)
    {
        var labels = new JsonObject
        {
            ["beta.kubernetes.io/arch"] = "amd64", ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64", ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux",
            ["node.kubernetes.io/instance-type"] = "kubesim", ["type"] = "kwok",
        };
        if (shape.NvidiaGpus > 0) labels["nvidia.com/gpu.present"] = "true";
        foreach (var (k, v) in shape.Labels) labels[k] = v;
        var capacity = new JsonObject
        {
            ["cpu"] = shape.Cpu, ["ephemeral-storage"] = "100Gi", ["hugepages-1Gi"] = "0", ["hugepages-2Mi"] = "0",
            ["memory"] = shape.Memory, ["pods"] = shape.Pods.ToString(),
        };
        if (shape.NvidiaGpus > 0) capacity["nvidia.com/gpu"] = shape.NvidiaGpus.ToString();
        var spec = new JsonObject { ["podCIDR"] = $"10.244.{index}.0/24", ["podCIDRs"] = new JsonArray($"10.244.{index}.0/24") };
        if (shape.Taints.Count > 0)
            spec["taints"] = new JsonArray(shape.Taints.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect }).ToArray());
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { ["node.alpha.kubernetes.io/ttl"] = "0", ["kwok.x-k8s.io/node"] = "fake" },
            },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                    Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = $"10.0.0.{index + 2}" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
                ["nodeInfo"] = new JsonObject
                {
                    ["machineID"] = Guid.NewGuid().ToString("N"), ["systemUUID"] = Guid.NewGuid().ToString(), ["bootID"] = Guid.NewGuid().ToString(),
                    ["kernelVersion"] = "6.1.0-kubesim", ["osImage"] = "Debian GNU/Linux 12 (bookworm)",
                    ["containerRuntimeVersion"] = "containerd://2.1.0", ["kubeletVersion"] = kubeletVersion, ["kubeProxyVersion"] = "",
                    ["operatingSystem"] = "linux", ["architecture"] = "amd64",
                },
                ["phase"] = "Running",
            },
        };
    }

    static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type, ["status"] = status, ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now,
        ["reason"] = reason, ["message"] = message,
    };
}
