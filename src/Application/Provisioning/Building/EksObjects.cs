using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Amazon EKS through CAPA's managed control plane (controlplane.cluster.x-k8s.io/v1beta2 AWSManagedControlPlane,
/// infrastructure.cluster.x-k8s.io/v1beta2 AWSManagedCluster and AWSManagedMachinePool), as CAPA's
/// "eks-managedmachinepool" flavor builds it: each pool is an EKS managed node group.
/// </summary>
internal static class EksObjects
{
    public const string Api = InfrastructureGroup + "/v1beta2";
    public const string ControlPlaneApi = ControlPlaneGroup + "/v1beta2";

    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint b)
    {
        var identity = OptionalSetting(b, "identityName");
        var objects = new List<JsonObject>
        {
            Resource(Api, "AWSManagedCluster", Metadata(b, b.Name), new JsonObject()),
            Resource(ControlPlaneApi, "AWSManagedControlPlane", Metadata(b, ControlPlaneName(b)), Obj(
                ("eksClusterName", b.Name),
                ("identityRef", identity is null ? null : Obj(("kind", "AWSClusterRoleIdentity"), ("name", identity))),
                ("region", Setting(b, "region")),
                ("sshKeyName", OptionalSetting(b, "sshKeyName")),
                ("version", VersionOf(b.KubernetesVersion)))),
        };
        foreach (var pool in b.NodePools) objects.AddRange(Pool(b, pool));
        objects.Add(ManagedObjects.Cluster(b, ControlPlaneGroup, "AWSManagedControlPlane", ControlPlaneName(b), "AWSManagedCluster"));
        return objects;
    }

    public static IReadOnlyList<JsonObject> Pool(ClusterBlueprint b, NodePoolSpec pool) =>
    [
        Resource(Api, "AWSManagedMachinePool", Metadata(b, PoolName(b, pool), [new(PoolLabel, pool.Name)]), Obj(
            // GPU node groups boot EKS's NVIDIA AMI (drivers and the container toolkit installed).
            ("amiType", pool.GpusPerNode > 0 ? "AL2023_x86_64_NVIDIA" : null),
            ("eksNodegroupName", PoolName(b, pool)),
            ("instanceType", pool.MachineType),
            ("labels", NodeLabels(pool) is { Count: > 0 } labels ? Map(labels) : null),
            ("scaling", pool is { MinSize: { } min, MaxSize: { } max } ? Obj(("maxSize", max), ("minSize", min)) : null),
            ("taints", pool.Taints is { Count: > 0 } taints ? Arr(taints.Select(t => (JsonNode?)Obj(("effect", Effect(t.Effect)), ("key", t.Key), ("value", t.Value ?? "")))) : null))),
        // EKS node groups do not scale themselves: the cluster autoscaler reads the bounds from the MachinePool.
        ManagedObjects.MachinePool(b, pool, "AWSManagedMachinePool", autoscalerAnnotations: true),
    ];

    /// <summary>EKS writes taint effects its own way (no-schedule), CAPA's schema takes them so.</summary>
    private static string Effect(string effect) => effect switch
    {
        "NoSchedule" => "no-schedule",
        "NoExecute" => "no-execute",
        "PreferNoSchedule" => "prefer-no-schedule",
        _ => effect,
    };
}
