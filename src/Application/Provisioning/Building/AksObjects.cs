using System.Net;
using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;
using static Cocktail.Application.Provisioning.Building.ClusterObjects;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Azure AKS through CAPZ's Azure Service Operator objects (infrastructure.cluster.x-k8s.io/v1beta1
/// AzureASOManagedCluster, AzureASOManagedControlPlane, AzureASOManagedMachinePool), as CAPZ's "aks-aso" flavor
/// builds them: each holds the ASO resources CAPZ creates (the ResourceGroup, the ManagedCluster, one
/// ManagedClustersAgentPool per pool), each resource naming the ASO credential Secret in its credential-from
/// annotation. CAPZ writes the ManagedCluster's Kubernetes version from the control plane's and each agent pool's
/// from its MachinePool's. AKS scales its pools itself, so the bounds go to the agent pool.
/// </summary>
internal static class AksObjects
{
    public const string Api = InfrastructureGroup + "/v1beta1";
    public const string ResourcesApi = "resources.azure.com/v1api20200601";
    public const string ContainerServiceApi = "containerservice.azure.com/v1api20240901";
    public const string CredentialAnnotation = "serviceoperator.azure.com/credential-from";

    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint b)
    {
        var objects = new List<JsonObject>
        {
            Resource(Api, "AzureASOManagedCluster", Metadata(b, b.Name), Obj(("resources", Arr([
                AsoResource(b, ResourcesApi, "ResourceGroup", b.Name, Obj(
                    ("azureName", Setting(b, "resourceGroup")),
                    ("location", Setting(b, "location")))),
            ])))),
            Resource(Api, "AzureASOManagedControlPlane", Metadata(b, ControlPlaneName(b)), Obj(
                ("resources", Arr([
                    AsoResource(b, ContainerServiceApi, "ManagedCluster", b.Name, Obj(
                        ("dnsPrefix", b.Name),
                        ("identity", Obj(("type", "SystemAssigned"))),
                        ("location", Setting(b, "location")),
                        ("networkProfile", NetworkProfile(b)),
                        ("owner", Obj(("name", b.Name))),
                        ("servicePrincipalProfile", Obj(("clientId", "msi"))))),
                ])),
                ("version", VersionOf(b.KubernetesVersion)))),
        };
        for (var i = 0; i < b.NodePools.Count; i++) objects.AddRange(Pool(b, b.NodePools[i], system: i == 0));
        objects.Add(ManagedObjects.Cluster(b, InfrastructureGroup, "AzureASOManagedControlPlane", ControlPlaneName(b), "AzureASOManagedCluster"));
        return objects;
    }

    /// <summary>The first pool is AKS's system pool (it runs the cluster's own pods), the others user pools.</summary>
    public static IReadOnlyList<JsonObject> Pool(ClusterBlueprint b, NodePoolSpec pool, bool system)
    {
        var autoscaled = pool is { MinSize: not null, MaxSize: not null };
        var agentPool = AsoResource(b, ContainerServiceApi, "ManagedClustersAgentPool", PoolName(b, pool), Obj(
            ("azureName", AgentPoolName(pool.Name)),
            ("count", pool.Replicas),
            ("enableAutoScaling", autoscaled),
            ("maxCount", pool.MaxSize),
            ("minCount", pool.MinSize),
            ("mode", system ? "System" : "User"),
            ("nodeLabels", NodeLabels(pool) is { Count: > 0 } labels ? Map(labels) : null),
            ("nodeTaints", pool.Taints is { Count: > 0 } taints ? Strings(taints.Select(Taint)) : null),
            ("owner", Obj(("name", b.Name))),
            ("type", "VirtualMachineScaleSets"),
            ("vmSize", pool.MachineType)));
        return
        [
            Resource(Api, "AzureASOManagedMachinePool", Metadata(b, PoolName(b, pool), [new(PoolLabel, pool.Name)]), Obj(("resources", Arr([agentPool])))),
            ManagedObjects.MachinePool(b, pool, "AzureASOManagedMachinePool", autoscalerAnnotations: false),
        ];
    }

    /// <summary>AKS names a Linux agent pool with at most 12 lowercase letters and digits (ProviderChecks refuses others).</summary>
    public static string AgentPoolName(string pool) => pool.Replace("-", "", StringComparison.Ordinal);

    /// <summary>AKS writes a taint as "key=value:Effect".</summary>
    private static string Taint(NodeTaint t) => string.IsNullOrEmpty(t.Value) ? $"{t.Key}:{t.Effect}" : $"{t.Key}={t.Value}:{t.Effect}";

    private static JsonObject AsoResource(ClusterBlueprint b, string apiVersion, string kind, string name, JsonObject spec) =>
        Obj(("apiVersion", apiVersion), ("kind", kind),
            ("metadata", Obj(("annotations", Map([new(CredentialAnnotation, Setting(b, "credentialSecret"))])), ("name", name))),
            ("spec", spec));

    /// <summary>Azure CNI overlay: pods get the blueprint's pod range, services its service range, DNS the range's tenth address.</summary>
    private static JsonObject NetworkProfile(ClusterBlueprint b)
    {
        var service = b.Network.ServiceCidrs[0];
        return Obj(
            ("dnsServiceIP", DnsServiceIp(service)),
            ("networkPlugin", "azure"),
            ("networkPluginMode", "overlay"),
            ("podCidr", b.Network.PodCidrs[0]),
            ("serviceCidr", service));
    }

    private static string? DnsServiceIp(string cidr)
    {
        if (!Cidr.TryParse(cidr, out var parsed, out _)) return null;
        var bytes = parsed.Network.GetAddressBytes();
        bytes[^1] += 10;
        return new IPAddress(bytes).ToString();
    }
}
