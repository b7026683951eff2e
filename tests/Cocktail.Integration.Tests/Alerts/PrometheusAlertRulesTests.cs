using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;

namespace Cocktail.Integration.Tests.Alerts;

/// <summary>
/// Custom rules against a real Prometheus, reached through the cluster's API server proxy: two workspaces share the
/// cluster, and a recording rule gives each namespace a series of its own. A workspace's rule fires and resolves on
/// its own namespace's series and never sees the other's; a platform rule sees both. A real Alertmanager posts to
/// Cocktail's webhook, and its alert lands in the workspace owning the alert's namespace.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class PrometheusAlertRulesTests(AlertsApp app)
{
    private static string RuleFile(string nsA, double a, string nsB, double b) => $$$"""
        groups:
          - name: shop
            rules:
              - record: shop_queue_depth
                expr: vector({{{a}}})
                labels: { namespace: "{{{nsA}}}", queue: orders }
              - record: shop_queue_depth
                expr: vector({{{b}}})
                labels: { namespace: "{{{nsB}}}", queue: orders }
              - alert: ShopQueueDeep
                expr: shop_queue_depth > 6
                labels: { severity: critical }
                annotations: { summary: "queue {{ $labels.queue }} holds {{ $value }}" }
        """;

    [SkippableFact]
    public async Task a_workspace_rule_fires_and_resolves_on_its_own_series_only_while_a_platform_rule_sees_every_namespace()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        var (nsA, nsB) = ($"qa-{Guid.NewGuid():N}"[..10], $"qb-{Guid.NewGuid():N}"[..10]);
        using var admin = await app.AsAdminAsync();
        await using var monitored = await MonitoredCluster.StartAsync(app, admin, new MonitoredClusterOptions
        {
            RuleFiles = new Dictionary<string, string> { ["shop.yml"] = RuleFile(nsA, 5, nsB, 7) },
        });
        var a = await Tenancy.Tenancy.CreateAsync(app, sim: monitored.Cluster, clusterId: monitored.ClusterId.ToString());
        var b = await Tenancy.Tenancy.CreateAsync(app, sim: monitored.Cluster, clusterId: monitored.ClusterId.ToString());
        await a.CreateServiceMapAsync(a.Admin, nsA);
        await b.CreateServiceMapAsync(b.Admin, nsB);

        var rule = new { name = "Queue deep", expression = "shop_queue_depth > 3", @for = "0s", severity = "Warning", summary = "{{ $labels.queue }} in {{ $labels.namespace }} holds {{ $value }}" };
        Assert.Equal(HttpStatusCode.Created, (await a.WorkspaceAdmin.Client.PostAsJsonAsync("/api/v1/alert-rules", new
            { workspaceId = a.WorkspaceId, rule.name, rule.expression, rule.@for, rule.severity, rule.summary })).StatusCode);
        var peek = await a.WorkspaceAdmin.Client.PostAsJsonAsync("/api/v1/alert-rules", new
            { workspaceId = a.WorkspaceId, name = "Peek", expression = $"shop_queue_depth{{namespace=\"{nsB}\"}} > 0", severity = "Warning" });
        Assert.Equal(HttpStatusCode.BadRequest, peek.StatusCode);
        Assert.Contains(nsB, (string)(await peek.BodyAsync())["errors"]!["expression"]![0]!);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/alert-rules", new
            { name = "Fleet queue deep", rule.expression, rule.@for, rule.severity, rule.summary })).StatusCode);

        var firing = await AlertLifecycleTests.WaitForAlertsAsync(a.Developer.Client, $"workspaceId={a.WorkspaceId}", items => items.Count == 1, "A's alert");
        Assert.Equal(($"orders in {nsA} holds 5", nsA, 5.0), ((string)firing[0]!["summary"]!, (string)firing[0]!["labels"]!["namespace"]!, (double)firing[0]!["value"]!));
        var fleet = await AlertLifecycleTests.WaitForAlertsAsync(admin, $"clusterId={monitored.ClusterId}",
            items => items.Count(i => (string)i!["ruleName"]! == "Fleet queue deep") == 2, "the platform rule on both namespaces");
        Assert.Equal([nsA, nsB], fleet.Where(i => (string)i!["ruleName"]! == "Fleet queue deep").Select(i => (string)i!["labels"]!["namespace"]!).Order().ToArray());

        await AlertLifecycleTests.AfterEvaluationsAsync(app, 3);
        var seenByA = (await a.Developer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?workspaceId={a.WorkspaceId}&state=all"))!["items"]!.AsArray();
        Assert.All(seenByA, i => Assert.Equal(nsA, (string)i!["labels"]!["namespace"]!));
        Assert.DoesNotContain(nsB, seenByA.ToJsonString());
        Assert.Empty((await b.Developer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?workspaceId={b.WorkspaceId}&state=all"))!["items"]!.AsArray());

        await monitored.Prometheus.ReloadAsync(monitored.Prometheus.Settings with
        {
            RuleFiles = new Dictionary<string, string> { ["shop.yml"] = RuleFile(nsA, 1, nsB, 7) },
        });
        var history = await AlertLifecycleTests.WaitForAlertsAsync(a.Developer.Client, $"workspaceId={a.WorkspaceId}&state=all",
            items => items.Count == 1 && !(bool)items[0]!["firing"]!, "A's alert resolves");
        Assert.NotNull(history[0]!["resolvedAt"]);
        a.Admin.Dispose(); // the cluster is the monitored one's, disposed with it
        b.Admin.Dispose();
    }

    [SkippableFact]
    public async Task a_real_alertmanager_posts_to_the_webhook_and_its_alert_lands_in_the_workspace_owning_the_namespace_then_resolves()
    {
        Skip.IfNot(AlertmanagerServer.Available, AlertmanagerServer.MissingReason);
        var ns = $"qb-{Guid.NewGuid():N}"[..10];
        using var admin = await app.AsAdminAsync();
        var sim = await Clusters.ClusterApp.StartClusterAsync(nodes: 1);
        var clusterId = (string)(await Clusters.ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        // The namespace is a service map before the first alert comes, so it is routed to its workspace.
        var b = await Tenancy.Tenancy.CreateAsync(app, sim: sim, clusterId: clusterId);
        await b.CreateServiceMapAsync(b.Admin, ns);
        var setup = await (await admin.PostAsync($"/api/v1/clusters/{clusterId}/alertmanager-webhook/rotate", null)).BodyAsync();
        await using var alertmanager = await AlertmanagerServer.StartAsync(new AlertmanagerSettings
        {
            WebhookUrl = new Uri((string)setup["url"]!), BearerToken = TestSecrets.Remember((string)setup["secret"]!), GroupBy = ["alertname", "namespace"],
        });
        JsonObject Alert(DateTimeOffset? endsAt) => new()
        {
            ["labels"] = new JsonObject { ["alertname"] = "ShopQueueDeep", ["namespace"] = ns, ["queue"] = "orders", ["severity"] = "critical" },
            ["annotations"] = new JsonObject { ["summary"] = "queue orders holds 7" },
            ["startsAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            ["endsAt"] = (endsAt ?? DateTimeOffset.UtcNow.AddHours(1)).ToString("O"),
        };

        await alertmanager.PostAlertsAsync(Alert(null));
        var firing = await AlertLifecycleTests.WaitForAlertsAsync(b.Developer.Client, $"workspaceId={b.WorkspaceId}", items => items.Count == 1, "the Alertmanager alert");
        Assert.Equal(("ShopQueueDeep", "Critical", "Alertmanager", "queue orders holds 7"),
            ((string)firing[0]!["ruleName"]!, (string)firing[0]!["severity"]!, (string)firing[0]!["source"]!, (string)firing[0]!["summary"]!));
        Assert.Equal(ns, (string)firing[0]!["labels"]!["namespace"]!);

        await alertmanager.PostAlertsAsync(Alert(DateTimeOffset.UtcNow));
        await AlertLifecycleTests.WaitForAlertsAsync(b.Developer.Client, $"workspaceId={b.WorkspaceId}&state=all",
            items => items.Count == 1 && !(bool)items[0]!["firing"]!, "Alertmanager's resolved notification");
        await b.DisposeAsync();
    }
}
