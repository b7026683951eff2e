using System.Text.RegularExpressions;

namespace Cocktail.Domain.Monitoring.Charts;

/// <summary>What a chart is drawn for: a whole cluster, one node, a workspace, a service map or a workload.</summary>
public enum MetricsScope { Cluster, Node, Workspace, ServiceMap, Workload }

/// <summary>
/// What a chart's queries are confined to. <see cref="Namespaces"/> null means the whole cluster (a platform admin, an
/// auditor, or a member of a workspace the cluster is dedicated to); otherwise every selector of every query carries
/// <c>namespace=~"…"</c> with exactly these namespaces, so a workspace's chart never returns another workspace's series.
/// </summary>
public sealed partial record ChartTarget
{
    private ChartTarget(MetricsScope scope, IReadOnlyList<string>? namespaces, string? node, string? podPattern)
    {
        Scope = scope;
        Namespaces = namespaces;
        Node = node;
        PodPattern = podPattern;
    }

    public MetricsScope Scope { get; }
    public IReadOnlyList<string>? Namespaces { get; }
    public string? Node { get; }
    /// <summary>A regular expression matching the names of a workload's pods (anchored, as PromQL anchors).</summary>
    public string? PodPattern { get; }

    /// <summary>True when the caller sees no namespace of the cluster at all: there is nothing to ask.</summary>
    public bool SeesNothing => Namespaces is { Count: 0 };

    public static ChartTarget Cluster(IEnumerable<string>? visibleNamespaces) => new(MetricsScope.Cluster, Names(visibleNamespaces), null, null);

    public static ChartTarget OfNode(string node, IEnumerable<string>? visibleNamespaces) =>
        new(MetricsScope.Node, Names(visibleNamespaces), KubernetesName(node), null);

    public static ChartTarget Workspace(IEnumerable<string> namespaces) => new(MetricsScope.Workspace, Names(namespaces)!, null, null);

    public static ChartTarget ServiceMap(string @namespace) => new(MetricsScope.ServiceMap, Names([@namespace])!, null, null);

    /// <summary>
    /// The pods a controller of that kind names: Deployment <c>name-&lt;hash&gt;-&lt;5&gt;</c>, StatefulSet <c>name-&lt;ordinal&gt;</c>,
    /// DaemonSet and Job <c>name-&lt;5&gt;</c>, CronJob <c>name-&lt;scheduled time&gt;-&lt;5&gt;</c>; so "web" never takes "web-api"'s pods.
    /// </summary>
    public static ChartTarget Workload(string @namespace, string kind, string name)
    {
        var escaped = Regex.Escape(KubernetesName(name));
        var pattern = kind switch
        {
            "Deployment" => $"{escaped}-[a-z0-9]+-[a-z0-9]{{5}}",
            "StatefulSet" => $"{escaped}-[0-9]+",
            "DaemonSet" or "Job" => $"{escaped}-[a-z0-9]{{5}}",
            "CronJob" => $"{escaped}-[0-9]+-[a-z0-9]{{5}}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return new(MetricsScope.Workload, Names([@namespace])!, null, pattern);
    }

    /// <summary>The label that names each line of the legend: a namespace for a cluster or workspace, else a pod.</summary>
    public string GroupLabel => Scope switch
    {
        MetricsScope.Cluster or MetricsScope.Workspace => "namespace",
        _ => "pod",
    };

    /// <summary>What the chart's series are summed by: the legend's label, and always the namespace, so every line says whose it is.</summary>
    public string GroupBy => GroupLabel == "namespace" ? "namespace" : "namespace,pod";

    /// <summary>The matchers every selector carries, beyond the metric's own.</summary>
    public IReadOnlyList<string> Matchers()
    {
        var matchers = new List<string>();
        if (Namespaces is not null) matchers.Add($"namespace=~\"{string.Join("|", Namespaces)}\"");
        if (PodPattern is not null) matchers.Add($"pod=~\"{PromQlString(PodPattern)}\"");
        return matchers;
    }

    /// <summary>A selector of <paramref name="metric"/> with its own matchers and the target's.</summary>
    public string Select(string metric, params string[] own) => $"{metric}{{{string.Join(",", own.Concat(Matchers()))}}}";

    /// <summary>
    /// Keeps only the series of pods on the target's node: cAdvisor, kube-state-metrics and DCGM series do not all carry
    /// the node, kube-state-metrics' <c>kube_pod_info</c> does.
    /// </summary>
    public string OnNode(string perPod) => Node is null
        ? perPod
        : $"({perPod} * on(namespace,pod) group_left() max by (namespace,pod) ({Select("kube_pod_info", $"node=\"{Node}\"")}))";

    private static IReadOnlyList<string>? Names(IEnumerable<string>? namespaces) =>
        namespaces?.Select(KubernetesName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Names go into queries as they are; anything but a Kubernetes name is refused, never escaped into one.</summary>
    private static string KubernetesName(string name) =>
        NamePattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a Kubernetes name.", nameof(name));

    private static string PromQlString(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
