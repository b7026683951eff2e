using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// OpenStack (CAPO, infrastructure.cluster.x-k8s.io/v1beta2) as its default clusterctl template builds it: the
/// identity is a Secret holding clouds.yaml, Cocktail lets CAPO create the network (one managed subnet), the security
/// groups and the API server's load balancer; machines boot a Glance image on a flavor, both found by name.
/// </summary>
internal static class OpenStackObjects
{
    public const string Api = InfrastructureGroup + "/v1beta2";

    /// <summary>The node subnet CAPO's default template creates; pods and services must not overlap it.</summary>
    public const string NodeCidr = "10.6.0.0/24";

    public static readonly KubeadmInfrastructure Infrastructure = new(
        "OpenStackCluster", "OpenStackMachineTemplate", Api, ClusterSpec, MachineSpec,
        NodeName: "{{ local_hostname }}",
        // The external cloud provider (openstack-cloud-controller-manager) sets the provider id from the instance id.
        KubeletArgs: [("cloud-provider", "external"), ("provider-id", "openstack:///{{ instance_id }}")]);

    private static JsonObject ClusterSpec(ClusterBlueprint b)
    {
        var external = OptionalSetting(b, "externalNetwork");
        return Obj(
            ("apiServer", Obj(("managedLoadBalancer", Obj(("enabled", true))))),
            ("externalNetwork", external is null ? null : Obj(("id", external))),
            ("identityRef", Obj(("cloudName", Setting(b, "cloudName")), ("name", Setting(b, "identitySecret")), ("type", "Secret"))),
            ("managedSecurityGroups", Obj(("allowAllInClusterTraffic", true))),
            ("managedSubnets", Arr([Obj(("cidr", NodeCidr))])));
    }

    private static JsonObject MachineSpec(ClusterBlueprint b, string flavor) => Obj(
        ("flavor", Obj(("filter", Obj(("name", flavor))))),
        ("image", Obj(("filter", Obj(("name", Setting(b, "image")))))),
        ("sshKeyName", OptionalSetting(b, "sshKeyName")));
}
