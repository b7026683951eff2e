using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>What managed Kubernetes (EKS, AKS, GKE) shares: the Cluster pointing at the managed control plane and cluster, and one MachinePool per pool.</summary>
internal static class ManagedObjects
{
    public static JsonObject Cluster(ClusterBlueprint b, string controlPlaneGroup, string controlPlaneKind, string controlPlaneName, string clusterKind) =>
        Resource(CoreApi, "Cluster", Metadata(b, b.Name), Obj(
            ("clusterNetwork", ClusterNetwork(b)),
            ("controlPlaneRef", Ref(controlPlaneGroup, controlPlaneKind, controlPlaneName)),
            ("infrastructureRef", Ref(InfrastructureGroup, clusterKind, b.Name))));

    /// <summary>
    /// The pool's MachinePool. The cloud bootstraps its nodes itself, so the bootstrap is the empty data secret name
    /// every provider's managed template uses.
    /// </summary>
    public static JsonObject MachinePool(ClusterBlueprint b, NodePoolSpec pool, string poolKind, bool autoscalerAnnotations)
    {
        var name = PoolName(b, pool);
        return Resource(CoreApi, "MachinePool",
            Metadata(b, name, [new(PoolLabel, pool.Name)], autoscalerAnnotations ? AutoscalerAnnotations(pool) : null),
            Obj(
                ("clusterName", b.Name),
                ("replicas", pool.Replicas),
                ("template", Obj(
                    ("metadata", Obj(("labels", Map([new(ClusterNameLabel, b.Name), new(PoolLabel, pool.Name)])))),
                    ("spec", Obj(
                        ("bootstrap", Obj(("dataSecretName", ""))),
                        ("clusterName", b.Name),
                        ("infrastructureRef", Ref(InfrastructureGroup, poolKind, name)),
                        ("version", PoolVersion(b, pool))))))));
    }
}
