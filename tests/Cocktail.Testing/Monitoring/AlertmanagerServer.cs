using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.Testing.Monitoring;

public sealed record AlertmanagerSettings
{
    /// <summary>Where the webhook receiver posts (Alertmanager's webhook payload, version 4).</summary>
    public required Uri WebhookUrl { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer ...</c> (http_config.authorization), or none.</summary>
    public string? BearerToken { get; init; }

    public TimeSpan GroupWait { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public bool SendResolved { get; init; } = true;
    public IReadOnlyList<string> GroupBy { get; init; } = ["alertname"];
}

/// <summary>
/// The real Alertmanager (<c>/usr/bin/prometheus-alertmanager</c>, Debian package <c>prometheus-alertmanager</c>)
/// with one webhook receiver, clustering off, started on a free port for a test.
/// </summary>
public sealed class AlertmanagerServer : ExternalProcess
{
    public const string Executable = "/usr/bin/prometheus-alertmanager";

    public static bool Available => File.Exists(Executable);

    public const string MissingReason = "Alertmanager is not installed (/usr/bin/prometheus-alertmanager; apt-get install prometheus-alertmanager)";

    AlertmanagerServer() : base("alertmanager") { }

    public string ConfigPath => Path.Combine(Directory, "alertmanager.yml");

    public static async Task<AlertmanagerServer> StartAsync(AlertmanagerSettings settings)
    {
        var server = new AlertmanagerServer();
        try
        {
            server.WriteConfig(settings);
            await server.StartAsync(Executable, port =>
            [
                $"--config.file={server.ConfigPath}",
                $"--storage.path={Path.Combine(server.Directory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                // A single instance: no gossip port to collide with other tests' Alertmanagers.
                "--cluster.listen-address=",
                "--log.level=warn",
            ], "-/ready", TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    void WriteConfig(AlertmanagerSettings settings)
    {
        var webhook = new JsonObject
        {
            ["url"] = settings.WebhookUrl.ToString(),
            ["send_resolved"] = settings.SendResolved,
        };
        if (settings.BearerToken is { } token)
            webhook["http_config"] = new JsonObject { ["authorization"] = new JsonObject { ["type"] = "Bearer", ["credentials"] = token } };
        var config = new JsonObject
        {
            ["global"] = new JsonObject { ["resolve_timeout"] = Seconds(settings.ResolveTimeout) },
            ["route"] = new JsonObject
            {
                ["receiver"] = "cocktail",
                ["group_by"] = new JsonArray(settings.GroupBy.Select(g => (JsonNode?)g).ToArray()),
                ["group_wait"] = Seconds(settings.GroupWait),
                ["group_interval"] = Seconds(settings.GroupInterval),
                ["repeat_interval"] = Seconds(settings.RepeatInterval),
            },
            ["receivers"] = new JsonArray(new JsonObject
            {
                ["name"] = "cocktail",
                ["webhook_configs"] = new JsonArray(webhook),
            }),
        };
        File.WriteAllText(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static string Seconds(TimeSpan span) => $"{Math.Max(1, (int)span.TotalSeconds)}s";

    /// <summary>Posts alerts straight to Alertmanager's v2 API (what a Prometheus would send), for tests without rules.</summary>
    public async Task PostAlertsAsync(params JsonObject[] alerts)
    {
        using var http = new HttpClient { BaseAddress = Address };
        using var response = await http.PostAsJsonAsync("api/v2/alerts", new JsonArray(alerts.Select(a => (JsonNode?)a).ToArray()));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Alertmanager refused the alerts: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
