using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// What one kubeadm infrastructure adds to the common objects: its cluster and machine template kinds and specs, and
/// how its machines name themselves to kubeadm (the cloud-init template of its datasource) and which kubelet flags
/// they need.
/// </summary>
internal sealed record KubeadmInfrastructure(
    string ClusterKind, string TemplateKind, string ApiVersion,
    Func<ClusterBlueprint, JsonObject> ClusterSpec,
    Func<ClusterBlueprint, string, JsonObject> MachineSpec,
    string NodeName,
    IReadOnlyList<(string Name, string Value)> KubeletArgs,
    Func<ClusterBlueprint, IReadOnlyList<JsonObject>>? ControlPlaneFiles = null,
    IReadOnlyList<string>? PreKubeadmCommands = null);

/// <summary>
/// The objects of a cluster whose machines run kubeadm (OpenStack, vSphere, Metal3), as each provider's
/// clusterctl template builds them in Cluster API v1beta2: Cluster, the infrastructure cluster, a KubeadmControlPlane
/// with its machine template, per pool a machine template, a KubeadmConfigTemplate and a MachineDeployment, and
/// MachineHealthChecks for the control plane and the workers.
/// </summary>
internal static class KubeadmObjects
{
    public const string KubeadmApi = ControlPlaneGroup + "/v1beta2";
    public const string BootstrapApi = BootstrapGroup + "/v1beta2";

    public static KubeadmInfrastructure For(Infrastructure kind) => kind switch
    {
        Infrastructure.OpenStack => OpenStackObjects.Infrastructure,
        Infrastructure.VSphere => VSphereObjects.Infrastructure,
        Infrastructure.Metal3 => Metal3Objects.Infrastructure,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a kubeadm infrastructure."),
    };

    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint b, KubeadmInfrastructure infra)
    {
        var objects = new List<JsonObject>
        {
            Resource(infra.ApiVersion, infra.ClusterKind, Metadata(b, b.Name), infra.ClusterSpec(b)),
            MachineTemplate(b, infra, ControlPlaneName(b), b.ControlPlane.MachineType ?? ""),
            ControlPlane(b, infra),
        };
        foreach (var pool in b.NodePools) objects.AddRange(Pool(b, infra, pool));
        objects.Add(ControlPlaneHealthCheck(b));
        if (b.NodePools.Count > 0) objects.Add(WorkerHealthCheck(b));
        objects.Add(Cluster(b, infra));
        return objects;
    }

    public static IReadOnlyList<JsonObject> Pool(ClusterBlueprint b, KubeadmInfrastructure infra, NodePoolSpec pool) =>
    [
        MachineTemplate(b, infra, PoolName(b, pool), pool.MachineType, pool),
        ConfigTemplate(b, infra, pool),
        MachineDeployment(b, infra, pool),
    ];

    private static JsonObject Cluster(ClusterBlueprint b, KubeadmInfrastructure infra) =>
        Resource(CoreApi, "Cluster", Metadata(b, b.Name), Obj(
            ("clusterNetwork", ClusterNetwork(b)),
            ("controlPlaneRef", Ref(ControlPlaneGroup, "KubeadmControlPlane", ControlPlaneName(b))),
            ("infrastructureRef", Ref(InfrastructureGroup, infra.ClusterKind, b.Name))));

    private static JsonObject MachineTemplate(ClusterBlueprint b, KubeadmInfrastructure infra, string name, string machineType, NodePoolSpec? pool = null) =>
        Resource(infra.ApiVersion, infra.TemplateKind,
            Metadata(b, name, pool is null ? null : [new(PoolLabel, pool.Name)]),
            Obj(("template", Obj(("spec", infra.MachineSpec(b, machineType))))));

    /// <summary>kubeadm's node registration: the datasource's host name, the provider's kubelet flags, the pool's labels and taints.</summary>
    private static JsonObject NodeRegistration(KubeadmInfrastructure infra, NodePoolSpec? pool)
    {
        var args = infra.KubeletArgs.ToList();
        if (pool is not null && NodeLabels(pool) is { Count: > 0 } labels)
        {
            // kubelet's --node-labels is one comma-separated list; a provider's own labels (Metal3's uuid) come first.
            var own = args.FindIndex(a => a.Name == "node-labels");
            var text = string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));
            if (own >= 0) args[own] = ("node-labels", $"{args[own].Value},{text}");
            else args.Add(("node-labels", text));
        }
        var taints = pool?.Taints is { Count: > 0 } t
            ? Arr(t.Select(x => (JsonNode?)Obj(("effect", x.Effect), ("key", x.Key), ("value", string.IsNullOrEmpty(x.Value) ? null : x.Value))))
            : null;
        return Obj(
            ("kubeletExtraArgs", Arr(args.Select(a => (JsonNode?)Obj(("name", a.Name), ("value", a.Value))))),
            ("name", infra.NodeName),
            ("taints", taints));
    }

    private static JsonObject ControlPlane(ClusterBlueprint b, KubeadmInfrastructure infra)
    {
        var files = infra.ControlPlaneFiles?.Invoke(b);
        var spec = Obj(
            ("files", files is { Count: > 0 } ? Arr(files) : null),
            ("initConfiguration", Obj(("nodeRegistration", NodeRegistration(infra, null)))),
            ("joinConfiguration", Obj(("nodeRegistration", NodeRegistration(infra, null)))),
            ("preKubeadmCommands", infra.PreKubeadmCommands is { Count: > 0 } pre ? Strings(pre) : null));
        return Resource(KubeadmApi, "KubeadmControlPlane", Metadata(b, ControlPlaneName(b)), Obj(
            ("kubeadmConfigSpec", spec),
            ("machineTemplate", Obj(("spec", Obj(("infrastructureRef", Ref(InfrastructureGroup, infra.TemplateKind, ControlPlaneName(b))))))),
            ("replicas", b.ControlPlane.Replicas),
            ("version", VersionOf(b.KubernetesVersion))));
    }

    private static JsonObject ConfigTemplate(ClusterBlueprint b, KubeadmInfrastructure infra, NodePoolSpec pool) =>
        Resource(BootstrapApi, "KubeadmConfigTemplate", Metadata(b, PoolName(b, pool), [new(PoolLabel, pool.Name)]), Obj(
            ("template", Obj(("spec", Obj(
                ("joinConfiguration", Obj(("nodeRegistration", NodeRegistration(infra, pool)))),
                ("preKubeadmCommands", infra.PreKubeadmCommands is { Count: > 0 } pre ? Strings(pre) : null)))))));

    private static JsonObject MachineDeployment(ClusterBlueprint b, KubeadmInfrastructure infra, NodePoolSpec pool)
    {
        var name = PoolName(b, pool);
        // The selector and the template's labels match, as Cluster API's defaulting webhook would write them.
        var selector = new Dictionary<string, string> { [ClusterNameLabel] = b.Name, ["cluster.x-k8s.io/deployment-name"] = name, [PoolLabel] = pool.Name };
        return Resource(CoreApi, "MachineDeployment", Metadata(b, name, [new(PoolLabel, pool.Name)], AutoscalerAnnotations(pool)), Obj(
            ("clusterName", b.Name),
            ("replicas", pool.Replicas),
            ("selector", Obj(("matchLabels", Map(selector)))),
            ("template", Obj(
                ("metadata", Obj(("labels", Map(selector)))),
                ("spec", Obj(
                    ("bootstrap", Obj(("configRef", Ref(BootstrapGroup, "KubeadmConfigTemplate", name)))),
                    ("clusterName", b.Name),
                    ("infrastructureRef", Ref(InfrastructureGroup, infra.TemplateKind, name)),
                    ("version", PoolVersion(b, pool))))))));
    }

    /// <summary>
    /// A node NotReady or unknown for 5 minutes, or a machine without a node after 10, is replaced; remediation
    /// stops when more than 40% of the workers are unhealthy at once (a network partition, not broken machines), as
    /// Cluster API's MachineHealthCheck documentation suggests.
    /// </summary>
    private static JsonObject Checks() => Obj(
        ("nodeStartupTimeoutSeconds", 600),
        ("unhealthyNodeConditions", Arr([
            Obj(("status", "Unknown"), ("timeoutSeconds", 300), ("type", "Ready")),
            Obj(("status", "False"), ("timeoutSeconds", 300), ("type", "Ready")),
        ])));

    private static JsonObject ControlPlaneHealthCheck(ClusterBlueprint b) =>
        Resource(CoreApi, "MachineHealthCheck", Metadata(b, ControlPlaneName(b)), Obj(
            ("checks", Checks()),
            ("clusterName", b.Name),
            ("selector", Obj(("matchLabels", Map([new(ClusterNameLabel, b.Name), new("cluster.x-k8s.io/control-plane", "")]))))));

    private static JsonObject WorkerHealthCheck(ClusterBlueprint b) =>
        Resource(CoreApi, "MachineHealthCheck", Metadata(b, $"{b.Name}-workers"), Obj(
            ("checks", Checks()),
            ("clusterName", b.Name),
            ("remediation", Obj(("triggerIf", Obj(("unhealthyLessThanOrEqualTo", "40%"))))),
            ("selector", Obj(
                ("matchExpressions", Arr([Obj(("key", "cluster.x-k8s.io/deployment-name"), ("operator", "Exists"))])),
                ("matchLabels", Map([new(ClusterNameLabel, b.Name)]))))));
}
