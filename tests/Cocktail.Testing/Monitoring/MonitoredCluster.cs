using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;

namespace Cocktail.Testing.Monitoring;

public sealed record MonitoredClusterOptions
{
    public string? Name { get; init; }
    public int Nodes { get; init; } = 2;
    public int SeedPods { get; init; }

    /// <summary>The whole cluster shape (GPU nodes, say); Name/Nodes/SeedPods above are ignored when set. kube-state-metrics is always on.</summary>
    public KubeSimOptions? Cluster { get; init; }
    public IReadOnlyDictionary<string, string> RuleFiles { get; init; } = new Dictionary<string, string>();
    public Uri? Alertmanager { get; init; }

    /// <summary>Register the cluster in Cocktail (POST /api/v1/clusters).</summary>
    public bool Register { get; init; } = true;

    /// <summary>Set the cluster's monitoring to the <c>monitoring/prometheus-operated</c> Service (PUT .../monitoring); off to test detection.</summary>
    public bool ConfigureMonitoring { get; init; } = true;
}

/// <summary>
/// A KubeSim cluster with a real Prometheus scraping it (<see cref="KubeSimScrape.Jobs"/>), the
/// <c>monitoring/prometheus-operated</c> Service (port 9090, "web") routed to that Prometheus as the Prometheus
/// Operator names it, registered in a Cocktail app with its monitoring pointing at that Service.
/// Tests: <c>Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason)</c> first.
/// </summary>
public sealed class MonitoredCluster : IAsyncDisposable
{
    public const string ServiceNamespace = "monitoring";
    public const string ServiceName = "prometheus-operated";
    public const int ServicePort = 9090;

    MonitoredCluster(KubeSimCluster cluster, PrometheusServer prometheus)
    {
        Cluster = cluster;
        Prometheus = prometheus;
    }

    public KubeSimCluster Cluster { get; }
    public PrometheusServer Prometheus { get; }

    /// <summary>The id Cocktail gave the cluster (empty when not registered).</summary>
    public Guid ClusterId { get; private set; }

    public static async Task<MonitoredCluster> StartAsync(CocktailApp? app = null, HttpClient? admin = null, MonitoredClusterOptions? options = null)
    {
        options ??= new MonitoredClusterOptions();
        var cluster = await KubeSimCluster.StartAsync((options.Cluster ?? new KubeSimOptions
        {
            Name = options.Name ?? $"mon-{Guid.NewGuid():N}"[..12], Nodes = options.Nodes, SeedPods = options.SeedPods,
        }) with { KubeStateMetrics = true });
        PrometheusServer? prometheus = null;
        try
        {
            prometheus = await PrometheusServer.StartAsync(new PrometheusSettings
            {
                Jobs = KubeSimScrape.Jobs(cluster), RuleFiles = options.RuleFiles, Alertmanager = options.Alertmanager,
            });
            cluster.ExposeService(ServiceNamespace, ServiceName, ServicePort, prometheus.Address, "web",
                new Dictionary<string, string> { ["operated-prometheus"] = "true" });
            var monitored = new MonitoredCluster(cluster, prometheus);
            if (app is not null && options.Register)
            {
                var ownAdmin = admin is null;
                admin ??= await app.AsAdminAsync();
                try
                {
                    monitored.ClusterId = await RegisterAsync(admin, cluster);
                    if (options.ConfigureMonitoring) await monitored.ConfigureServiceAsync(admin);
                }
                finally
                {
                    if (ownAdmin) admin.Dispose();
                }
            }
            return monitored;
        }
        catch
        {
            if (prometheus is not null) await prometheus.DisposeAsync();
            await cluster.DisposeAsync();
            throw;
        }
    }

    static async Task<Guid> RegisterAsync(HttpClient admin, KubeSimCluster cluster)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = cluster.Name, provider = "BareMetal", region = "lab", kubeconfig = cluster.AdminKubeconfigYaml,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonNode>();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Registering {cluster.Name} failed: {(int)response.StatusCode} {body?.ToJsonString()}");
        return body!["cluster"]!["id"]!.GetValue<Guid>();
    }

    /// <summary>PUT /api/v1/clusters/{id}/monitoring: Prometheus through the service proxy at monitoring/prometheus-operated:9090.</summary>
    public async Task ConfigureServiceAsync(HttpClient admin)
    {
        using var response = await admin.PutAsJsonAsync($"/api/v1/clusters/{ClusterId}/monitoring", new
        {
            source = "ServiceProxy", serviceNamespace = ServiceNamespace, serviceName = ServiceName, serviceScheme = "http", servicePort = ServicePort,
        });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Configuring monitoring failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        await Prometheus.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
