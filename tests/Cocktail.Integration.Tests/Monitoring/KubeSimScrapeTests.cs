using System.Net;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// The real Prometheus scrapes a KubeSim cluster through its API server (kubelet, cAdvisor, node-exporter, DCGM,
/// kube-state-metrics) and answers the queries Cocktail's charts and alerts ask; the real Alertmanager delivers
/// what a rule fires to a webhook with its bearer token. No Cocktail host is needed.
/// </summary>
public sealed class KubeSimScrapeTests
{
    [SkippableFact]
    public async Task prometheus_scrapes_every_exporter_and_sees_the_annotated_usage()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(options: new MonitoredClusterOptions
        {
            Cluster = new KubeSimOptions { Name = "scraped", Nodes = 1, NodeShape = new NodeShape { Cpu = "8", Memory = "32Gi", NvidiaGpus = 1 } },
        });
        var sim = monitored.Cluster;
        sim.Objects.EnsureNamespace("ml");
        sim.Objects.Create(Pod("trainer", "ml", new Dictionary<string, string>
        {
            ["kubesim.cocktail.io/cpu-usage"] = "0.9", ["kubesim.cocktail.io/gpu-utilization"] = "85",
        }));
        await sim.Objects.WaitForAsync("v1", "Pod", "trainer", "ml", p => (string?)p["status"]?["phase"] == "Running");
        await monitored.Prometheus.ReloadAsync(monitored.Prometheus.Settings with { Jobs = KubeSimScrape.Jobs(sim) });
        await monitored.Prometheus.WaitForTargetsUpAsync();

        var jobs = (await monitored.Prometheus.VectorAsync("count by (job) (up == 1)")).Select(s => (string)s!["metric"]!["job"]!).Order().ToList();
        Assert.Equal(["dcgm-exporter", "kube-state-metrics", "kubelet", "node-exporter"], jobs);
        var gpu = await Eventually.GetAsync(() => monitored.Prometheus.VectorAsync("DCGM_FI_DEV_GPU_UTIL{namespace=\"ml\",pod=\"trainer\"}"),
            v => v.Count == 1, TimeSpan.FromSeconds(15), "the GPU series of the trainer");
        Assert.Equal("85", (string)gpu[0]!["value"]![1]!);
        var cpu = await Eventually.GetAsync(
            () => monitored.Prometheus.VectorAsync("irate(container_cpu_usage_seconds_total{namespace=\"ml\",pod=\"trainer\",container=\"app\"}[10s])"),
            v => v.Count == 1, TimeSpan.FromSeconds(15), "two CPU samples of the trainer");
        Assert.InRange(double.Parse((string)cpu[0]!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture), 1.5, 2.1); // 0.9 × 2 cores
        var running = await monitored.Prometheus.VectorAsync("kube_pod_status_phase{namespace=\"ml\",pod=\"trainer\",phase=\"Running\"}");
        Assert.Equal("1", (string)running.Single()!["value"]![1]!);
    }

    [SkippableFact]
    public async Task a_rule_firing_on_kubesim_series_reaches_the_alertmanager_webhook_with_its_bearer_token()
    {
        Skip.IfNot(PrometheusServer.Available && AlertmanagerServer.Available, PrometheusServer.MissingReason);
        using var receiver = new HttpListener();
        var port = ExternalProcess.FreePort();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        var token = TestSecrets.Remember($"am-{Guid.NewGuid():N}");
        await using var alertmanager = await AlertmanagerServer.StartAsync(new AlertmanagerSettings
        {
            WebhookUrl = new Uri($"http://127.0.0.1:{port}/hook"), BearerToken = token,
        });
        const string rules = """
            groups:
            - name: kubesim
              rules:
              - alert: PodBurningCpu
                expr: rate(container_cpu_usage_seconds_total{container="app"}[5s]) > 0.5
                labels: { severity: warning }
                annotations: { summary: "{{ $labels.pod }} burns CPU" }
            """;
        await using var monitored = await MonitoredCluster.StartAsync(options: new MonitoredClusterOptions
        {
            Nodes = 1, RuleFiles = new Dictionary<string, string> { ["kubesim.yml"] = rules }, Alertmanager = alertmanager.Address,
        });
        monitored.Cluster.Objects.Create(Pod("hot", "default", new Dictionary<string, string> { ["kubesim.cocktail.io/cpu-usage"] = "0.9" }));

        var received = receiver.GetContextAsync();
        var finished = await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == received, "Alertmanager posted nothing within 30 s:\n" + alertmanager.Output + monitored.Prometheus.Output);
        var context = await received;
        Assert.Equal($"Bearer {token}", context.Request.Headers["Authorization"]);
        var payload = JsonNode.Parse(await new StreamReader(context.Request.InputStream).ReadToEndAsync())!;
        Assert.Equal("4", (string)payload["version"]!);
        var alert = payload["alerts"]![0]!;
        Assert.Equal("PodBurningCpu", (string)alert["labels"]!["alertname"]!);
        Assert.Equal("hot", (string)alert["labels"]!["pod"]!);
        Assert.Equal("hot burns CPU", (string)alert["annotations"]!["summary"]!);
        context.Response.StatusCode = 200;
        context.Response.Close();
    }

    static JsonObject Pod(string name, string ns, Dictionary<string, string> annotations)
    {
        var requests = new JsonObject { ["cpu"] = "500m", ["memory"] = "256Mi" };
        var limits = new JsonObject { ["cpu"] = "2", ["memory"] = "512Mi" };
        if (name == "trainer") { requests["nvidia.com/gpu"] = "1"; limits["nvidia.com/gpu"] = "1"; }
        return new JsonObject
        {
        ["apiVersion"] = "v1", ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["namespace"] = ns,
            ["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "app", ["image"] = "nginx:1.27",
                ["resources"] = new JsonObject { ["requests"] = requests, ["limits"] = limits },
            }),
        },
        };
    }
}
