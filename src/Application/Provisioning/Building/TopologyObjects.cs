using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// A topology cluster: only the Cluster, with <c>spec.topology</c> naming the ClusterClass; Cluster API's topology
/// controller creates the control plane, the templates, the machine deployments and their health checks from the
/// class. Each pool names one of the class's machine deployment classes in its machine type.
/// </summary>
internal static class TopologyObjects
{
    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint b) =>
    [
        Resource(CoreApi, "Cluster", Metadata(b, b.Name), Obj(
            ("clusterNetwork", ClusterNetwork(b)),
            ("topology", Obj(
                ("classRef", Obj(("name", b.ClusterClass))),
                ("controlPlane", Obj(("replicas", b.ControlPlane.Replicas))),
                ("version", VersionOf(b.KubernetesVersion)),
                ("workers", Obj(("machineDeployments", Arr(b.NodePools.Select(Worker))))))))),
    ];

    private static JsonNode Worker(NodePoolSpec pool)
    {
        var annotations = AutoscalerAnnotations(pool).ToList();
        return Obj(
            ("class", pool.MachineType),
            ("metadata", annotations.Count > 0 ? Obj(("annotations", Map(annotations))) : null),
            ("name", pool.Name),
            ("replicas", pool.Replicas));
    }
}
