using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Bare metal through Metal3 (CAPM3, infrastructure.cluster.x-k8s.io/v1beta2): the Metal3Cluster holds the control
/// plane address, each machine template the OS image Ironic writes and the label selector that picks the
/// BareMetalHosts ("label=value" in the machine type).
/// </summary>
internal static class Metal3Objects
{
    public const string Api = InfrastructureGroup + "/v1beta2";
    public static readonly IReadOnlyList<string> ImageFormats = ["raw", "qcow2", "vdi", "vmdk", "live-iso"];

    public static readonly KubeadmInfrastructure Infrastructure = new(
        "Metal3Cluster", "Metal3MachineTemplate", Api, ClusterSpec, MachineSpec,
        // As CAPM3's templates: the node takes the host's name from the metadata CAPM3 renders, and its uuid label.
        NodeName: "{{ ds.meta_data.name }}",
        KubeletArgs: [("node-labels", "metal3.io/uuid={{ ds.meta_data.uuid }}"), ("provider-id", "metal3://{{ ds.meta_data.providerid }}")]);

    private static JsonObject ClusterSpec(ClusterBlueprint b) =>
        Obj(("controlPlaneEndpoint", Obj(("host", Setting(b, "controlPlaneEndpoint")), ("port", VSphereObjects.ApiServerPort))));

    private static JsonObject MachineSpec(ClusterBlueprint b, string selector)
    {
        var (key, value) = TrySelector(selector, out var parsed) ? parsed : ("", "");
        return Obj(
            ("hostSelector", Obj(("matchLabels", Map([new(key, value)])))),
            ("image", Obj(
                ("checksum", Setting(b, "imageChecksum")),
                ("diskFormat", Setting(b, "imageFormat")),
                ("url", Setting(b, "imageUrl")))));
    }

    /// <summary>"label=value": the BareMetalHosts' label that picks the machines.</summary>
    public static bool TrySelector(string? text, out (string Key, string Value) selector)
    {
        selector = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var at = text.IndexOf('=');
        if (at <= 0) return false;
        selector = (text[..at].Trim(), text[(at + 1)..].Trim());
        return true;
    }
}
