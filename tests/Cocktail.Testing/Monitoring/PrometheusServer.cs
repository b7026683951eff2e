using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.Testing.Monitoring;

/// <summary>One target of a scrape job: the metrics path on the job's server and the labels its series get.</summary>
public sealed record ScrapeTarget(string MetricsPath, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// A scrape job against an HTTPS server (a KubeSim API server) with a bearer token and insecure TLS, as a
/// Prometheus outside the cluster scrapes kubelets and exporters through the API server's proxy.
/// </summary>
public sealed record ScrapeJob(string Name, Uri Server, string? BearerToken, IReadOnlyList<ScrapeTarget> Targets, bool InsecureTls = true);

public sealed record PrometheusSettings
{
    public IReadOnlyList<ScrapeJob> Jobs { get; init; } = [];

    /// <summary>Rule files by name (e.g. <c>alerts.yml</c>) and their YAML; loaded at start and on <see cref="PrometheusServer.ReloadAsync"/>.</summary>
    public IReadOnlyDictionary<string, string> RuleFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>Where Prometheus sends alerts (an <see cref="AlertmanagerServer.Address"/>), or none.</summary>
    public Uri? Alertmanager { get; init; }

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(1);
    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>An existing TSDB folder to serve (e.g. blocks backfilled with <c>promtool</c>); null: a fresh one in the temp folder.</summary>
    public string? StoragePath { get; init; }

    /// <summary>How long samples are kept; backfilled history needs more than the tests' day.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The real Prometheus (<c>/usr/bin/prometheus</c>, Debian package <c>prometheus</c>) started for a test with a
/// generated config and a temporary TSDB; <c>Skip.IfNot(PrometheusServer.Available)</c> where it is missing.
/// </summary>
public sealed class PrometheusServer : ExternalProcess
{
    public const string Executable = "/usr/bin/prometheus";

    public static bool Available => File.Exists(Executable);

    public const string MissingReason = "Prometheus is not installed (/usr/bin/prometheus; apt-get install prometheus)";

    PrometheusServer() : base("prometheus") { }

    public PrometheusSettings Settings { get; private set; } = new();

    public string ConfigPath => Path.Combine(Directory, "prometheus.yml");

    public static async Task<PrometheusServer> StartAsync(PrometheusSettings settings)
    {
        var server = new PrometheusServer();
        try
        {
            server.WriteConfig(settings);
            await server.StartAsync(Executable, port =>
            [
                $"--config.file={server.ConfigPath}",
                $"--storage.tsdb.path={settings.StoragePath ?? Path.Combine(server.Directory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle",
                "--log.level=warn",
                // No web console assets are needed; keeps start-up quick.
                $"--storage.tsdb.retention.time={(int)Math.Ceiling(settings.Retention.TotalHours)}h",
            ], "-/ready", TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a new config (jobs, rule files, Alertmanager) and has Prometheus load it (POST /-/reload).</summary>
    public async Task ReloadAsync(PrometheusSettings settings)
    {
        WriteConfig(settings);
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Address, "-/reload"), null);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Prometheus refused the new config: {await response.Content.ReadAsStringAsync()}");
    }

    void WriteConfig(PrometheusSettings settings)
    {
        Settings = settings;
        var ruleFiles = new JsonArray();
        foreach (var (name, yaml) in settings.RuleFiles)
        {
            var path = Path.Combine(Directory, "rules", name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, yaml);
            ruleFiles.Add(path);
        }
        var config = new JsonObject
        {
            ["global"] = new JsonObject
            {
                ["scrape_interval"] = Duration(settings.ScrapeInterval),
                ["scrape_timeout"] = Duration(settings.ScrapeInterval),
                ["evaluation_interval"] = Duration(settings.EvaluationInterval),
                ["external_labels"] = Labels(settings.ExternalLabels),
            },
            ["rule_files"] = ruleFiles,
            ["scrape_configs"] = new JsonArray(settings.Jobs.Select(Job).ToArray<JsonNode?>()),
        };
        if (settings.Alertmanager is { } alertmanager)
            config["alerting"] = new JsonObject
            {
                ["alertmanagers"] = new JsonArray(new JsonObject
                {
                    ["scheme"] = alertmanager.Scheme,
                    ["static_configs"] = new JsonArray(new JsonObject { ["targets"] = new JsonArray(alertmanager.Authority) }),
                }),
            };
        // JSON is YAML: no hand-written quoting.
        File.WriteAllText(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static JsonObject Job(ScrapeJob job)
    {
        var scrape = new JsonObject
        {
            ["job_name"] = job.Name,
            ["scheme"] = job.Server.Scheme,
            ["honor_labels"] = true,
            ["tls_config"] = new JsonObject { ["insecure_skip_verify"] = job.InsecureTls },
            ["static_configs"] = new JsonArray(job.Targets.Select(t =>
            {
                var labels = Labels(t.Labels);
                // A target's own metrics path: one job can scrape /metrics and /metrics/cadvisor of every node.
                labels["__metrics_path__"] = t.MetricsPath;
                return (JsonNode?)new JsonObject { ["targets"] = new JsonArray(job.Server.Authority), ["labels"] = labels };
            }).ToArray()),
        };
        if (job.BearerToken is { } token)
            scrape["authorization"] = new JsonObject { ["type"] = "Bearer", ["credentials"] = token };
        return scrape;
    }

    static JsonObject Labels(IReadOnlyDictionary<string, string> labels) =>
        new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    static string Duration(TimeSpan span) => span.TotalSeconds >= 1 && span.TotalSeconds % 1 == 0
        ? $"{(int)span.TotalSeconds}s"
        : $"{(int)span.TotalMilliseconds}ms";

    /// <summary>An instant query against this Prometheus directly (for test assertions); the <c>data</c> object.</summary>
    public async Task<JsonNode> QueryAsync(string promql)
    {
        using var http = new HttpClient { BaseAddress = Address };
        using var response = await http.PostAsync("api/v1/query", new FormUrlEncodedContent([KeyValuePair.Create("query", promql)]));
        var body = await response.Content.ReadFromJsonAsync<JsonNode>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode}: {body?.ToJsonString()}");
        return body!["data"]!;
    }

    /// <summary>The result vector of an instant query.</summary>
    public async Task<JsonArray> VectorAsync(string promql) => (await QueryAsync(promql))["result"]!.AsArray();

    /// <summary>Waits until every scrape target is up (or the timeout passes), so queries see data.</summary>
    public async Task WaitForTargetsUpAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = Address };
        await Eventually.TrueAsync(async () =>
        {
            var body = await http.GetFromJsonAsync<JsonNode>("api/v1/targets?state=active");
            var targets = body!["data"]!["activeTargets"]!.AsArray();
            return targets.Count > 0 && targets.All(t => t!["health"]!.GetValue<string>() == "up");
        }, timeout ?? TimeSpan.FromSeconds(20), "every Prometheus scrape target to be up");
    }

    /// <summary>The active targets and their health and last error, for assertion messages.</summary>
    public async Task<string> TargetsAsync()
    {
        using var http = new HttpClient { BaseAddress = Address };
        return (await http.GetStringAsync("api/v1/targets?state=active"));
    }
}
