using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Google GKE through CAPG (infrastructure.cluster.x-k8s.io/v1beta1 GCPManagedCluster, GCPManagedControlPlane,
/// GCPManagedMachinePool), as CAPG's "gke" flavor builds it. GKE scales its node pools itself, so the bounds go to
/// the pool's own autoscaling rather than to the cluster autoscaler.
/// </summary>
internal static class GkeObjects
{
    public const string Api = InfrastructureGroup + "/v1beta1";

    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint b)
    {
        var credentials = OptionalSetting(b, "credentialSecret");
        var objects = new List<JsonObject>
        {
            Resource(Api, "GCPManagedCluster", Metadata(b, b.Name), Obj(
                ("credentialsRef", credentials is null ? null : Obj(("name", credentials), ("namespace", b.Namespace))),
                ("project", Setting(b, "project")),
                ("region", Setting(b, "region")))),
            Resource(Api, "GCPManagedControlPlane", Metadata(b, ControlPlaneName(b)), Obj(
                ("clusterName", b.Name),
                ("clusterNetwork", Obj(
                    ("pod", Obj(("cidrBlock", b.Network.PodCidrs[0]))),
                    ("service", Obj(("cidrBlock", b.Network.ServiceCidrs[0]))))),
                ("controlPlaneVersion", VersionOf(b.KubernetesVersion)),
                ("location", Setting(b, "region")),
                ("project", Setting(b, "project")))),
        };
        foreach (var pool in b.NodePools) objects.AddRange(Pool(b, pool));
        objects.Add(ManagedObjects.Cluster(b, InfrastructureGroup, "GCPManagedControlPlane", ControlPlaneName(b), "GCPManagedCluster"));
        return objects;
    }

    public static IReadOnlyList<JsonObject> Pool(ClusterBlueprint b, NodePoolSpec pool) =>
    [
        Resource(Api, "GCPManagedMachinePool", Metadata(b, PoolName(b, pool), [new(PoolLabel, pool.Name)]), Obj(
            ("kubernetesLabels", NodeLabels(pool) is { Count: > 0 } labels ? Map(labels) : null),
            ("kubernetesTaints", pool.Taints is { Count: > 0 } taints ? Arr(taints.Select(t => (JsonNode?)Obj(("effect", t.Effect), ("key", t.Key), ("value", t.Value ?? "")))) : null),
            ("machineType", pool.MachineType),
            ("nodePoolName", pool.Name),
            // CAPG turns autoscaling on when the field is absent: say it for every pool.
            ("scaling", pool is { MinSize: { } min, MaxSize: { } max }
                ? Obj(("enableAutoscaling", true), ("maxCount", max), ("minCount", min))
                : Obj(("enableAutoscaling", false))))),
        ManagedObjects.MachinePool(b, pool, "GCPManagedMachinePool", autoscalerAnnotations: false),
    ];
}
