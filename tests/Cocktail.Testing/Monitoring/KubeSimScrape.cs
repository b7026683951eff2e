using Cocktail.KubeSim;

namespace Cocktail.Testing.Monitoring;

/// <summary>
/// The scrape jobs a Prometheus outside a cluster uses to read it through the API server (as kube-prometheus does
/// with kubernetes_sd and <c>/api/v1/nodes/NODE/proxy/...</c> relabelling), spelled out for a KubeSim cluster:
/// job <c>kubelet</c> (<c>/metrics</c> and <c>/metrics/cadvisor</c>, told apart by the <c>metrics_path</c> label),
/// <c>node-exporter</c> (port 9100), <c>dcgm-exporter</c> (port 9400) on every node, and <c>kube-state-metrics</c>
/// through its Service in kube-system. Every series carries <c>node</c>/<c>instance</c> as kube-prometheus sets them.
/// </summary>
public static class KubeSimScrape
{
    public static IReadOnlyList<ScrapeJob> Jobs(KubeSimCluster cluster, string? token = null)
    {
        var server = new Uri(cluster.Server);
        token ??= cluster.AdminToken;
        var nodes = cluster.Objects.List("v1", "Node").Select(n => n["metadata"]!["name"]!.GetValue<string>()).ToList();
        return
        [
            new ScrapeJob("kubelet", server, token, nodes.SelectMany(n => new[]
            {
                new ScrapeTarget($"/api/v1/nodes/{n}/proxy/metrics", NodeLabels(n, "/metrics")),
                new ScrapeTarget($"/api/v1/nodes/{n}/proxy/metrics/cadvisor", NodeLabels(n, "/metrics/cadvisor")),
            }).ToList()),
            new ScrapeJob("node-exporter", server, token,
                nodes.Select(n => new ScrapeTarget($"/api/v1/nodes/{n}:9100/proxy/metrics", NodeLabels(n))).ToList()),
            new ScrapeJob("dcgm-exporter", server, token,
                nodes.Select(n => new ScrapeTarget($"/api/v1/nodes/{n}:9400/proxy/metrics", NodeLabels(n))).ToList()),
            new ScrapeJob("kube-state-metrics", server, token,
            [
                new ScrapeTarget("/api/v1/namespaces/kube-system/services/kube-state-metrics:http-metrics/proxy/metrics",
                    new Dictionary<string, string> { ["instance"] = "kube-state-metrics" }),
            ]),
        ];
    }

    static Dictionary<string, string> NodeLabels(string node, string? metricsPath = null)
    {
        var labels = new Dictionary<string, string> { ["instance"] = node, ["node"] = node };
        if (metricsPath is not null) labels["metrics_path"] = metricsPath;
        return labels;
    }
}
