using System.Globalization;
using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>A vSphere machine size: "4x16" (CPUs x memory GiB) or "4x16x80" (and the disk in GiB).</summary>
public readonly record struct VSphereSize(int Cpus, int MemoryGiB, int DiskGiB)
{
    /// <summary>CAPV's default template gives machines a 25 GiB disk.</summary>
    public const int DefaultDiskGiB = 25;

    public const string Rule = "CPUs x memory GiB, e.g. 4x16 (or 4x16x80 with the disk in GiB); at least 2 CPUs";

    public static bool TryParse(string? text, out VSphereSize size)
    {
        size = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32) return false;
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length is not (2 or 3)) return false;
        var numbers = new int[3];
        numbers[2] = DefaultDiskGiB;
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return false;
        // CAPV's schema wants at least 2 CPUs; vSphere 8 VMs go up to 768 vCPUs and 24 TiB of memory.
        if (numbers[0] is < 2 or > 768 || numbers[1] is < 1 or > 24576 || numbers[2] is < 1 or > 65536) return false;
        size = new VSphereSize(numbers[0], numbers[1], numbers[2]);
        return true;
    }
}

/// <summary>
/// vSphere (CAPV, infrastructure.cluster.x-k8s.io/v1beta2) as its default clusterctl template builds it: the
/// VSphereCluster names vCenter and the credentials Secret, the control plane address is a virtual IP kube-vip holds
/// on the control plane machines, machines are cloned from a VM template with the size the machine type gives.
/// </summary>
internal static class VSphereObjects
{
    public const string Api = InfrastructureGroup + "/v1beta2";
    public const int ApiServerPort = 6443;

    public static readonly KubeadmInfrastructure Infrastructure = new(
        "VSphereCluster", "VSphereMachineTemplate", Api, ClusterSpec, MachineSpec,
        NodeName: "{{ local_hostname }}",
        KubeletArgs: [("cloud-provider", "external")],
        ControlPlaneFiles: KubeVip,
        // As CAPV's template: the machine's host name resolves locally before kubeadm runs.
        PreKubeadmCommands:
        [
            "hostnamectl set-hostname \"{{ ds.meta_data.hostname }}\"",
            "echo \"::1         ipv6-localhost ipv6-loopback localhost6 localhost6.localdomain6\" >/etc/hosts",
            "echo \"127.0.0.1   {{ ds.meta_data.hostname }} {{ local_hostname }} localhost localhost.localdomain localhost4 localhost4.localdomain4\" >>/etc/hosts",
        ]);

    private static JsonObject ClusterSpec(ClusterBlueprint b) => Obj(
        ("controlPlaneEndpoint", Obj(("host", Setting(b, "controlPlaneEndpoint")), ("port", ApiServerPort))),
        ("identityRef", Obj(("kind", "Secret"), ("name", Setting(b, "identitySecret")))),
        ("server", Setting(b, "server")),
        ("thumbprint", OptionalSetting(b, "thumbprint")));

    private static JsonObject MachineSpec(ClusterBlueprint b, string machineType)
    {
        // Check() refuses a bad size before anything is built; the fallback only keeps Build total.
        if (!VSphereSize.TryParse(machineType, out var size)) size = new VSphereSize(2, 4, VSphereSize.DefaultDiskGiB);
        return Obj(
            ("cloneMode", "linkedClone"),
            ("datacenter", Setting(b, "datacenter")),
            ("datastore", Setting(b, "datastore")),
            ("diskGiB", size.DiskGiB),
            ("folder", OptionalSetting(b, "folder")),
            ("memoryMiB", size.MemoryGiB * 1024),
            ("network", Obj(("devices", Arr([Obj(("dhcp4", true), ("networkName", Setting(b, "network")))])))),
            ("numCPUs", size.Cpus),
            ("os", "Linux"),
            ("powerOffMode", "trySoft"),
            ("resourcePool", OptionalSetting(b, "resourcePool")),
            ("server", Setting(b, "server")),
            ("template", Setting(b, "template")),
            ("thumbprint", OptionalSetting(b, "thumbprint")));
    }

    /// <summary>kube-vip as a static pod on each control plane machine, holding the control plane address (ARP, leader elected).</summary>
    private static IReadOnlyList<JsonObject> KubeVip(ClusterBlueprint b)
    {
        var address = Setting(b, "controlPlaneEndpoint");
        var manifest = string.Join("\n",
            "apiVersion: v1",
            "kind: Pod",
            "metadata:",
            "  name: kube-vip",
            "  namespace: kube-system",
            "spec:",
            "  containers:",
            "  - name: kube-vip",
            "    image: ghcr.io/kube-vip/kube-vip:v0.8.9",
            "    args: [manager]",
            "    env:",
            "    - {name: cp_enable, value: \"true\"}",
            "    - {name: vip_arp, value: \"true\"}",
            "    - {name: vip_leaderelection, value: \"true\"}",
            $"    - {{name: address, value: \"{address}\"}}",
            $"    - {{name: port, value: \"{ApiServerPort.ToString(CultureInfo.InvariantCulture)}\"}}",
            "    securityContext:",
            "      capabilities: {add: [NET_ADMIN, NET_RAW]}",
            "    volumeMounts:",
            "    - {mountPath: /etc/kubernetes/admin.conf, name: kubeconfig}",
            "  hostNetwork: true",
            "  volumes:",
            "  - name: kubeconfig",
            "    hostPath: {path: /etc/kubernetes/admin.conf, type: FileOrCreate}",
            "");
        return [Obj(("content", manifest), ("owner", "root:root"), ("path", "/etc/kubernetes/manifests/kube-vip.yaml"), ("permissions", "0644"))];
    }
}
