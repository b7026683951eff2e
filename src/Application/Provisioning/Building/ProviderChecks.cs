using System.Text.RegularExpressions;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// The provider's rules a blueprint must follow beside its own check, each with the field a form marks: formats only
/// the provider knows (a vSphere size, a Metal3 host selector, an image URL, an AKS pool name) and the name lengths
/// Cluster API needs because it copies object names into label values (at most 63 characters).
/// </summary>
internal static class ProviderChecks
{
    private const int LabelValueMax = 63;

    public static IReadOnlyList<DomainError> Check(ClusterBlueprint b)
    {
        var problems = new List<DomainError>();
        void Add(string field, string message) => problems.Add(DomainError.Invalid(message, field));
        if (b.NodePools is null || b.ControlPlane is null || b.Settings is null) return problems;
        var info = InfrastructureCatalog.All.FirstOrDefault(i => i.Kind == b.Infrastructure);
        if (info is null) return problems;

        // Cluster API labels machines with the control plane's and the deployment's names (cluster.x-k8s.io/control-plane-name,
        // cluster.x-k8s.io/deployment-name), so those names must be valid label values.
        if (b.ClusterClass is null && !info.ManagedControlPlane && ClusterObjects.ControlPlaneName(b).Length > LabelValueMax)
            Add("name", $"At most {LabelValueMax - "-control-plane".Length} characters: Cluster API names the control plane '<name>-control-plane' and labels machines with it.");
        for (var i = 0; i < b.NodePools.Count; i++)
        {
            var pool = b.NodePools[i];
            if (pool is null) continue;
            if (b.ClusterClass is null && ClusterObjects.PoolName(b, pool).Length > LabelValueMax)
                Add($"nodePools[{i}].name", $"'{b.Name}-{pool.Name}' is longer than {LabelValueMax} characters: Cluster API labels machines with it. Shorten the pool's or the cluster's name.");
        }
        if (b.ClusterClass is not null) return problems;

        switch (b.Infrastructure)
        {
            case Infrastructure.VSphere:
                CheckMachineTypes(b, (text) => VSphereSize.TryParse(text, out _), $"A vSphere size is {VSphereSize.Rule}.", Add);
                CheckAddress(b, "controlPlaneEndpoint", Add);
                break;
            case Infrastructure.Metal3:
                CheckMachineTypes(b, ValidSelector, "A host selector is label=value, a Kubernetes label the BareMetalHosts carry (e.g. role=worker).", Add);
                CheckAddress(b, "controlPlaneEndpoint", Add);
                CheckUrl(b, "imageUrl", Add);
                if (ClusterObjects.OptionalSetting(b, "imageFormat") is { } format && !Metal3Objects.ImageFormats.Contains(format))
                    Add("settings.imageFormat", $"The image format is one of {string.Join(", ", Metal3Objects.ImageFormats)}.");
                if (ClusterObjects.OptionalSetting(b, "imageChecksum") is { } sum && sum.Contains("://", StringComparison.Ordinal))
                    CheckUrl(b, "imageChecksum", Add);
                break;
            case Infrastructure.OpenStack:
                if (Cidr.TryParse(OpenStackObjects.NodeCidr, out var nodes, out _))
                    foreach (var (field, blocks) in new[] { ("network.podCidrs", b.Network?.PodCidrs), ("network.serviceCidrs", b.Network?.ServiceCidrs) })
                        for (var i = 0; i < (blocks?.Count ?? 0); i++)
                            if (Cidr.TryParse(blocks![i], out var cidr, out _) && cidr.Overlaps(nodes))
                                Add($"{field}[{i}]", $"{cidr} overlaps the machines' subnet {OpenStackObjects.NodeCidr} that OpenStack creates.");
                break;
            case Infrastructure.Aks:
                for (var i = 0; i < b.NodePools.Count; i++)
                    if (b.NodePools[i] is { } pool && !AksPoolName().IsMatch(AksObjects.AgentPoolName(pool.Name ?? "")))
                        Add($"nodePools[{i}].name", "An AKS pool's name starts with a letter and has at most 12 lowercase letters and digits (dashes are dropped).");
                break;
        }
        return problems;
    }

    private static void CheckMachineTypes(ClusterBlueprint b, Func<string?, bool> valid, string rule, Action<string, string> add)
    {
        if (!string.IsNullOrWhiteSpace(b.ControlPlane.MachineType) && !valid(b.ControlPlane.MachineType))
            add("controlPlane.machineType", rule);
        for (var i = 0; i < b.NodePools.Count; i++)
            if (b.NodePools[i] is { } pool && !string.IsNullOrWhiteSpace(pool.MachineType) && !valid(pool.MachineType))
                add($"nodePools[{i}].machineType", rule);
    }

    private static bool ValidSelector(string? text) =>
        Metal3Objects.TrySelector(text, out var s) && LabelKey().IsMatch(s.Key) && s.Key.Length <= 253 + 1 + 63
        && s.Value.Length <= 63 && (s.Value.Length == 0 || LabelValue().IsMatch(s.Value));

    private static void CheckUrl(ClusterBlueprint b, string key, Action<string, string> add)
    {
        if (ClusterObjects.OptionalSetting(b, key) is not { } text) return;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            add($"settings.{key}", "Ironic downloads the image over http or https: give an http(s):// URL.");
    }

    private static void CheckAddress(ClusterBlueprint b, string key, Action<string, string> add)
    {
        if (ClusterObjects.OptionalSetting(b, key) is not { } text) return;
        if (System.Net.IPAddress.TryParse(text, out _) || (text.Length <= 253 && HostName().IsMatch(text))) return;
        add($"settings.{key}", "The control plane address is an IP address or a host name.");
    }

    private static readonly Regex AksPoolNamePattern = new("^[a-z][a-z0-9]{0,11}$", RegexOptions.NonBacktracking);
    private static Regex AksPoolName() => AksPoolNamePattern;

    private static readonly Regex LabelKeyPattern = new("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.NonBacktracking);
    private static Regex LabelKey() => LabelKeyPattern;

    private static readonly Regex LabelValuePattern = new("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.NonBacktracking);
    private static Regex LabelValue() => LabelValuePattern;

    private static readonly Regex HostNamePattern = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.NonBacktracking | RegexOptions.IgnoreCase);
    private static Regex HostName() => HostNamePattern;
}
