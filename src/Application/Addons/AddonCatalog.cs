using Cocktail.Domain.Charts;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Addons;

/// <summary>
/// Where the addon charts come from. Each repository key (<c>prometheus-community</c>, <c>jetstack</c>, ...) may point
/// somewhere else than the project's own repository: a mirror, an air-gapped copy, a test repository. An
/// <c>oci://</c> URL makes it an OCI repository.
/// </summary>
public sealed class AddonOptions
{
    public const string Section = "Cocktail:Addons";

    /// <summary>Repository key → URL (<c>https://...</c> with an index.yaml, or <c>oci://host/path</c>).</summary>
    public Dictionary<string, string> Repositories { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One addon: the chart it installs (its repository key and the project's own URL), the Helm release name and
/// namespace it gets, the values Cocktail installs it with unless told otherwise, the version recommended, and the
/// Kubernetes minor versions it supports (inclusive; null: no bound known).
/// </summary>
public sealed record AddonDefinition(
    string Key, string DisplayName, string Category, string Description, string RepositoryKey, string ProjectRepositoryUrl, string Chart,
    string ReleaseName, string Namespace, string RecommendedVersion, string DefaultValuesYaml, string? MinKubernetes, string? MaxKubernetes);

/// <summary>An addon with its repository as configured here (the project's URL unless overridden).</summary>
public sealed record Addon(AddonDefinition Definition, string RepositoryUrl, ChartRepositoryKind Kind)
{
    public string Key => Definition.Key;
    public ChartSource Source => new(RepositoryUrl, Kind, Definition.Chart);

    /// <summary>Whether a cluster on <paramref name="kubernetesVersion"/> (v1.33.2) is within the addon's supported range; true when unknown.</summary>
    public bool Supports(string? kubernetesVersion)
    {
        if (!ChartSemVer.TryParse(kubernetesVersion, out var v)) return true;
        var minor = (v.Major, v.Minor);
        return (Definition.MinKubernetes is null || !ChartSemVer.TryParse(Definition.MinKubernetes, out var min) || minor.CompareTo((min.Major, min.Minor)) >= 0)
            && (Definition.MaxKubernetes is null || !ChartSemVer.TryParse(Definition.MaxKubernetes, out var max) || minor.CompareTo((max.Major, max.Minor)) <= 0);
    }
}

/// <summary>
/// The addons platform admins install on clusters. The release names are the ones the projects document (so, for
/// example, kube-prometheus-stack's Prometheus Service is <c>kube-prometheus-stack-prometheus</c> in <c>monitoring</c>,
/// which GetClusterMonitoring finds), and the versions are the projects' releases Cocktail was checked against.
/// </summary>
public sealed class AddonCatalog(IOptions<AddonOptions> options)
{
    public static readonly IReadOnlyList<AddonDefinition> Definitions =
    [
        new("kube-prometheus-stack", "Monitoring (kube-prometheus-stack)", "monitoring",
            "Prometheus, Alertmanager, Grafana and the Prometheus Operator, with the cluster's default dashboards and alerts.",
            "prometheus-community", "https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack",
            "kube-prometheus-stack", "monitoring", "66.3.1",
            "grafana:\n  enabled: true\nprometheus:\n  prometheusSpec:\n    retention: 15d\n", "1.19", null),
        new("metrics-server", "Metrics Server", "monitoring",
            "Resource metrics (CPU, memory) for kubectl top and the Horizontal Pod Autoscaler.",
            "metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "metrics-server",
            "metrics-server", "kube-system", "3.12.2", "", "1.19", null),
        new("fluent-bit", "Logging collector (Fluent Bit)", "logging",
            "Collects container logs on every node and forwards them.",
            "fluent", "https://fluent.github.io/helm-charts", "fluent-bit",
            "fluent-bit", "logging", "0.47.10", "", "1.20", null),
        new("cilium", "Networking (Cilium)", "networking",
            "eBPF-based networking, network policy and observability.",
            "cilium", "https://helm.cilium.io/", "cilium",
            "cilium", "kube-system", "1.16.5", "", "1.27", "1.32"),
        new("calico", "Networking (Calico)", "networking",
            "Calico networking and network policy, installed through the Tigera operator.",
            "projectcalico", "https://docs.tigera.io/calico/charts", "tigera-operator",
            "calico", "tigera-operator", "v3.29.1", "", "1.28", "1.31"),
        new("gpu-operator", "GPU (NVIDIA GPU Operator)", "gpu",
            "NVIDIA drivers, container toolkit, device plugin and monitoring for GPU nodes.",
            "nvidia", "https://helm.ngc.nvidia.com/nvidia", "gpu-operator",
            "gpu-operator", "gpu-operator", "v24.9.1", "", "1.25", "1.32"),
        new("trivy-operator", "Security (Trivy Operator)", "security",
            "Continuous vulnerability, configuration and secret scanning of the cluster's workloads.",
            "aqua", "https://aquasecurity.github.io/helm-charts/", "trivy-operator",
            "trivy-operator", "trivy-system", "0.25.0", "", "1.19", null),
        new("ingress-nginx", "Ingress (ingress-nginx)", "networking",
            "The NGINX Ingress controller.",
            "ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "ingress-nginx",
            "ingress-nginx", "ingress-nginx", "4.11.3", "", "1.26", "1.31"),
        new("cert-manager", "Certificates (cert-manager)", "security",
            "Issues and renews TLS certificates (ACME, private CAs) as Kubernetes objects.",
            "jetstack", "https://charts.jetstack.io", "cert-manager",
            "cert-manager", "cert-manager", "v1.16.2", "crds:\n  enabled: true\n", "1.25", "1.32"),
        new("velero", "Backup (Velero)", "backup",
            "Backs up and restores the cluster's objects and persistent volumes.",
            "vmware-tanzu", "https://vmware-tanzu.github.io/helm-charts", "velero",
            "velero", "velero", "8.1.0", "", "1.18", null),
    ];

    private readonly IReadOnlyList<Addon> _all = [.. Definitions.Select(d => Resolve(d, options.Value))];

    public IReadOnlyList<Addon> All => _all;

    public Addon? Find(string? key) => _all.FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.Ordinal));

    /// <summary>The repositories the platform configured for addons, by URL (team installs may use them too, see VisibleChartRepositories).</summary>
    public IReadOnlyList<(string Key, string Url, ChartRepositoryKind Kind)> Repositories =>
        [.. _all.Select(a => (a.Definition.RepositoryKey, a.RepositoryUrl, a.Kind)).Distinct()];

    private static Addon Resolve(AddonDefinition definition, AddonOptions options)
    {
        var url = options.Repositories.TryGetValue(definition.RepositoryKey, out var configured) && !string.IsNullOrWhiteSpace(configured)
            ? configured.Trim() : definition.ProjectRepositoryUrl;
        return new Addon(definition, url, KindOf(url));
    }

    public static ChartRepositoryKind KindOf(string url) =>
        url.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) ? ChartRepositoryKind.Oci : ChartRepositoryKind.Http;
}
