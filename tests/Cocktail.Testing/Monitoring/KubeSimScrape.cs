using Cocktail.KubeSim;

namespace Cocktail.Testing.Monitoring;

/// <summary>
/// The scrape jobs a Prometheus outside a cluster uses to read it through the API server (as kube-prometheus does
/// with kubernetes_sd and <c>/api/v1/nodes/NODE/proxy/...</c> relabelling), spelled out for a KubeSim cluster:
/// job <c>kubelet</c> (<c>/metrics</c> and <c>/metrics/cadvisor</c>, told apart by the <c>metrics_path</c> label),
/// <c>node-exporter</c> (port 9100) on every node, <c>dcgm-exporter</c> (port 9400) on nodes with NVIDIA GPUs, and
/// <c>kube-state-metrics</c> through its Service in kube-system when the cluster has it (KubeSimOptions.KubeStateMetrics). Every series carries <c>node</c>/<c>instance</c> as kube-prometheus sets them.
/// </summary>
public static class KubeSimScrape
{
    public static IReadOnlyList<ScrapeJob> Jobs(KubeSimCluster cluster, string? token = null)
    {
        var server = new Uri(cluster.Server);
        token ??= cluster.AdminToken;
        var nodeObjects = cluster.Objects.List("v1", "Node");
        var nodes = nodeObjects.Select(n => n["metadata"]!["name"]!.GetValue<string>()).ToList();
        // dcgm-exporter runs on GPU nodes only (a DaemonSet with a node selector).
        var gpuNodes = nodeObjects.Where(n => n["status"]?["capacity"]?["nvidia.com/gpu"] is not null)
            .Select(n => n["metadata"]!["name"]!.GetValue<string>()).ToList();
        var kubeStateMetrics = cluster.Objects.Get("v1", "Service", "kube-state-metrics", "kube-system") is not null;
        List<ScrapeJob> jobs =
        [
            new ScrapeJob("kubelet", server, token, nodes.SelectMany(n => new[]
            {
                new ScrapeTarget($"/api/v1/nodes/{n}/proxy/metrics", NodeLabels(n, "/metrics")),
                new ScrapeTarget($"/api/v1/nodes/{n}/proxy/metrics/cadvisor", NodeLabels(n, "/metrics/cadvisor")),
            }).ToList()),
            new ScrapeJob("node-exporter", server, token,
                nodes.Select(n => new ScrapeTarget($"/api/v1/nodes/{n}:9100/proxy/metrics", NodeLabels(n))).ToList()),
        ];
        if (gpuNodes.Count > 0)
            jobs.Add(new ScrapeJob("dcgm-exporter", server, token,
                gpuNodes.Select(n => new ScrapeTarget($"/api/v1/nodes/{n}:9400/proxy/metrics", NodeLabels(n))).ToList()));
        if (kubeStateMetrics)
            jobs.Add(new ScrapeJob("kube-state-metrics", server, token,
            [
                new ScrapeTarget("/api/v1/namespaces/kube-system/services/kube-state-metrics:http-metrics/proxy/metrics",
                    new Dictionary<string, string> { ["instance"] = "kube-state-metrics" }),
            ]));
        return jobs;
    }

    static Dictionary<string, string> NodeLabels(string node, string? metricsPath = null)
    {
        var labels = new Dictionary<string, string> { ["instance"] = node, ["node"] = node };
        if (metricsPath is not null) labels["metrics_path"] = metricsPath;
        return labels;
    }
}
