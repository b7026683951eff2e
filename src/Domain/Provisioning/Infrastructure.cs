using Cocktail.Domain.Clusters;

namespace Cocktail.Domain.Provisioning;

/// <summary>The Cluster API infrastructures Cocktail builds objects for. Each is offered only where its CRDs are installed.</summary>
public enum Infrastructure { OpenStack, VSphere, Metal3, Eks, Aks, Gke }

/// <summary>A setting the infrastructure needs beside the common blueprint (a region, a datacenter, an image).</summary>
/// <param name="Key">The key in <see cref="ClusterBlueprint.Settings"/> (camelCase, as in the API).</param>
/// <param name="Secret">Never: credentials are referenced by the name of an object on the management cluster.</param>
public sealed record ProviderSetting(string Key, string Label, bool Required, string Help, string? Default = null);

/// <summary>
/// What Cocktail knows of an infrastructure: its name, the seed's provider it registers as, whether the control plane
/// is managed by the cloud (no control plane machines), the CRDs (<c>kind.group</c>) that must be served on the
/// management cluster for it to be offered, what a machine type means there, and the settings its form asks for.
/// </summary>
public sealed record InfrastructureInfo(
    Infrastructure Kind, string DisplayName, ClusterProvider RegistersAs, bool ManagedControlPlane,
    IReadOnlyList<string> RequiredCrds, string MachineTypeLabel, IReadOnlyList<ProviderSetting> Settings)
{
    public IEnumerable<ProviderSetting> RequiredSettings => Settings.Where(s => s.Required);
}

/// <summary>A seed infrastructure with no maintained Cluster API provider: shown as "register only", with the reason.</summary>
public sealed record RegisterOnlyInfrastructure(string DisplayName, ClusterProvider RegistersAs, string Reason);

public static class InfrastructureCatalog
{
    /// <summary>Cluster API's own CRDs, needed for any infrastructure.</summary>
    public static readonly IReadOnlyList<string> CoreCrds =
        ["Cluster.cluster.x-k8s.io", "MachineDeployment.cluster.x-k8s.io", "MachineSet.cluster.x-k8s.io", "Machine.cluster.x-k8s.io"];

    /// <summary>The kubeadm bootstrap and control plane providers, needed where machines run kubeadm.</summary>
    public static readonly IReadOnlyList<string> KubeadmCrds =
        ["KubeadmControlPlane.controlplane.cluster.x-k8s.io", "KubeadmConfigTemplate.bootstrap.cluster.x-k8s.io"];

    public const string ClusterClassCrd = "ClusterClass.cluster.x-k8s.io";
    public const string MachinePoolCrd = "MachinePool.cluster.x-k8s.io";
    public const string MachineHealthCheckCrd = "MachineHealthCheck.cluster.x-k8s.io";

    public static readonly IReadOnlyList<InfrastructureInfo> All =
    [
        new(Infrastructure.OpenStack, "OpenStack", ClusterProvider.OpenStack, false,
            [.. CoreCrds, .. KubeadmCrds, "OpenStackCluster.infrastructure.cluster.x-k8s.io", "OpenStackMachineTemplate.infrastructure.cluster.x-k8s.io"],
            "Flavor",
            [
                new("cloudName", "Cloud name", true, "The cloud's entry in the clouds.yaml of the identity secret.", "openstack"),
                new("identitySecret", "Identity secret", true, "A Secret on the management cluster, in the cluster's namespace, holding clouds.yaml."),
                new("image", "Image", true, "The Glance image the machines boot, built for the chosen Kubernetes version."),
                new("externalNetwork", "External network", false, "The network of floating IPs, by id; the provider finds one when empty."),
                new("sshKeyName", "SSH key pair", false, "A Nova key pair for the machines."),
            ]),
        new(Infrastructure.VSphere, "VMware vSphere", ClusterProvider.VMware, false,
            [.. CoreCrds, .. KubeadmCrds, "VSphereCluster.infrastructure.cluster.x-k8s.io", "VSphereMachineTemplate.infrastructure.cluster.x-k8s.io"],
            "Size (CPUs x memory GiB, e.g. 4x16)",
            [
                new("server", "vCenter server", true, "The vCenter address, e.g. vcenter.example.com."),
                new("identitySecret", "Identity secret", true, "A Secret on the management cluster with the vCenter username and password."),
                new("datacenter", "Datacenter", true, "The vSphere datacenter."),
                new("datastore", "Datastore", true, "The datastore for the machines' disks."),
                new("network", "Network", true, "The port group the machines attach to."),
                new("template", "VM template", true, "The VM template the machines are cloned from, built for the chosen Kubernetes version."),
                new("controlPlaneEndpoint", "Control plane address", true, "A free IP address for the API server (kube-vip)."),
                new("resourcePool", "Resource pool", false, "The resource pool; the datacenter's default when empty."),
                new("folder", "Folder", false, "The VM folder; the datacenter's default when empty."),
                new("thumbprint", "TLS thumbprint", false, "vCenter's certificate SHA-1 thumbprint, when its CA is not trusted."),
            ]),
        new(Infrastructure.Metal3, "Bare metal (Metal3)", ClusterProvider.BareMetal, false,
            [.. CoreCrds, .. KubeadmCrds, "Metal3Cluster.infrastructure.cluster.x-k8s.io", "Metal3MachineTemplate.infrastructure.cluster.x-k8s.io"],
            "Host selector (label=value on the BareMetalHosts)",
            [
                new("controlPlaneEndpoint", "Control plane address", true, "A free IP address for the API server."),
                new("imageUrl", "Image URL", true, "Where Ironic downloads the OS image (http or https)."),
                new("imageChecksum", "Image checksum", true, "The image's checksum, or the URL of its checksum file."),
                new("imageFormat", "Image format", false, "raw or qcow2.", "raw"),
            ]),
        new(Infrastructure.Eks, "Amazon EKS", ClusterProvider.EKS, true,
            [.. CoreCrds, MachinePoolCrd, "AWSManagedControlPlane.controlplane.cluster.x-k8s.io", "AWSManagedCluster.infrastructure.cluster.x-k8s.io", "AWSManagedMachinePool.infrastructure.cluster.x-k8s.io"],
            "Instance type",
            [
                new("region", "Region", true, "The AWS region, e.g. eu-central-1."),
                new("identityName", "Role identity", false, "An AWSClusterRoleIdentity on the management cluster; the controller's own credentials when empty."),
                new("sshKeyName", "SSH key pair", false, "An EC2 key pair for the nodes."),
            ]),
        new(Infrastructure.Aks, "Azure AKS", ClusterProvider.AKS, true,
            [.. CoreCrds, MachinePoolCrd, "AzureASOManagedControlPlane.infrastructure.cluster.x-k8s.io", "AzureASOManagedCluster.infrastructure.cluster.x-k8s.io", "AzureASOManagedMachinePool.infrastructure.cluster.x-k8s.io"],
            "VM size",
            [
                new("location", "Location", true, "The Azure region, e.g. westeurope."),
                new("resourceGroup", "Resource group", true, "The resource group the cluster is created in."),
                new("credentialSecret", "Credential secret", true, "The Azure Service Operator credential Secret on the management cluster."),
            ]),
        new(Infrastructure.Gke, "Google GKE", ClusterProvider.GKE, true,
            [.. CoreCrds, MachinePoolCrd, "GCPManagedControlPlane.infrastructure.cluster.x-k8s.io", "GCPManagedCluster.infrastructure.cluster.x-k8s.io", "GCPManagedMachinePool.infrastructure.cluster.x-k8s.io"],
            "Machine type",
            [
                new("project", "Project", true, "The Google Cloud project id."),
                new("region", "Region", true, "The region, e.g. europe-west1."),
                new("credentialSecret", "Credential secret", false, "A Secret with a service account key; the controller's own when empty."),
            ]),
    ];

    public static readonly IReadOnlyList<RegisterOnlyInfrastructure> RegisterOnly =
    [
        new("Citrix Hypervisor (XenServer)", ClusterProvider.Other,
            "There is no maintained Cluster API provider for Citrix Hypervisor; register a cluster installed by other means."),
        new("NAVER Kubernetes Service (NKS)", ClusterProvider.NKS,
            "NKS has no Cluster API provider; create the cluster in the NAVER Cloud console, then register it."),
    ];

    public static InfrastructureInfo Get(Infrastructure kind) => All.Single(i => i.Kind == kind);

    /// <summary>The infrastructures whose CRDs are all among <paramref name="servedCrds"/> (<c>kind.group</c>).</summary>
    public static IReadOnlyList<Infrastructure> Installed(IReadOnlySet<string> servedCrds) =>
        [.. All.Where(i => i.RequiredCrds.All(servedCrds.Contains)).Select(i => i.Kind)];

    public static bool ClusterClassServed(IReadOnlySet<string> servedCrds) => servedCrds.Contains(ClusterClassCrd);
}
