using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Infrastructure.Alerts;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Alerts;

/// <summary>
/// A built-in rule that Cocktail evaluates from its own state (the inventory against the service map's quota), with
/// no Prometheus: it fires once, is acknowledged and silenced from the API, resolves, and stays in the history.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class AlertLifecycleTests(AlertsApp app)
{
    [Fact]
    public async Task Given_a_service_map_at_its_pod_quota_Then_the_quota_alert_fires_once_is_acknowledged_and_resolves_when_a_pod_goes()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var name = $"shop-{Guid.NewGuid():N}"[..12];
        var map = await team.CreateServiceMapAsync(team.Admin, name, quota: new { cpu = "2", memory = "2Gi", gpu = "0", storage = "10Gi", pods = "2" });
        await team.WaitForStatusAsync((string)map["id"]!, "Ready");
        var developer = team.Developer.Client;

        team.Sim.Objects.SeedPods(name, 2, prefix: "checkout");
        var firing = await WaitForAlertsAsync(developer, $"workspaceId={team.WorkspaceId}&state=firing", items => items.Count == 1, "the quota alert");
        var alert = firing[0]!;
        Assert.Equal(("Service map quota nearly used", "Warning", "pods", name), ((string)alert["ruleName"]!, (string)alert["severity"]!,
            (string)alert["labels"]!["resource"]!, (string)alert["labels"]!["namespace"]!));
        Assert.Equal($"Service map {name} uses 100 % of its pods quota.", (string)alert["summary"]!);
        Assert.Equal((string)map["id"]!, (string)alert["serviceMapId"]!);

        // Evaluations go on every second; the alert stays one open occurrence.
        await AfterEvaluationsAsync(app, 3);
        Assert.Single(await WaitForAlertsAsync(developer, $"workspaceId={team.WorkspaceId}&state=all", _ => true, "the history"));

        var ack = await developer.PostAsJsonAsync($"/api/v1/alerts/{alert["id"]}/acknowledge", new { note = "scaling down" });
        Assert.Equal(HttpStatusCode.NoContent, ack.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await developer.PostAsJsonAsync($"/api/v1/alerts/{alert["id"]}/acknowledge", new { note = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.Viewer.Client.PostAsJsonAsync($"/api/v1/alerts/{alert["id"]}/acknowledge", new { })).StatusCode);
        var stranger = await app.CreateUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsJsonAsync($"/api/v1/alerts/{alert["id"]}/acknowledge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync("/api/v1/alerts?workspaceId=" + team.WorkspaceId)).StatusCode);

        var acknowledged = (await WaitForAlertsAsync(developer, $"workspaceId={team.WorkspaceId}&state=firing", items => items.Count == 1, "acknowledged"))[0]!;
        Assert.Equal((team.Developer.UserName, "scaling down"), ((string)acknowledged["acknowledgedBy"]!, (string)acknowledged["acknowledgementNote"]!));

        team.Sim.Objects.Delete("v1", "Pod", "checkout-1", name);
        var history = await WaitForAlertsAsync(developer, $"workspaceId={team.WorkspaceId}&state=all", items => items.Count == 1 && !(bool)items[0]!["firing"]!, "resolved");
        Assert.NotNull(history[0]!["resolvedAt"]);
        Assert.Empty(await WaitForAlertsAsync(developer, $"workspaceId={team.WorkspaceId}&state=firing", items => items.Count == 0, "nothing firing"));
    }

    [Fact]
    public async Task a_silence_needs_matchers_a_future_end_and_a_reason_and_is_listed_for_its_workspace_only()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var developer = team.Developer.Client;

        var none = await developer.PostAsJsonAsync("/api/v1/silences", new { workspaceId = team.WorkspaceId, matchers = Array.Empty<object>(), until = DateTimeOffset.UtcNow.AddHours(1), reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.NotNull((await none.BodyAsync())["errors"]!["matchers"]);
        var past = await developer.PostAsJsonAsync("/api/v1/silences", new
        {
            workspaceId = team.WorkspaceId, matchers = new[] { new { name = "pod", @operator = "=", value = "a" } }, until = DateTimeOffset.UtcNow.AddHours(-1), reason = "x",
        });
        Assert.NotNull((await past.BodyAsync())["errors"]!["until"]);

        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        var created = await developer.PostAsJsonAsync("/api/v1/silences", new
        {
            workspaceId = team.WorkspaceId, matchers = new[] { new { name = "alertname", @operator = "=~", value = "Pod.*" } }, until, reason = "deploying",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(("deploying", team.Developer.UserName), ((string)(await created.BodyAsync())["reason"]!, (string)(await created.BodyAsync())["createdBy"]!));
        Assert.Single((await developer.GetFromJsonAsync<JsonArray>($"/api/v1/silences?workspaceId={team.WorkspaceId}"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.CreateUserAsync()).Client.GetAsync($"/api/v1/silences?workspaceId={team.WorkspaceId}")).StatusCode);

        // The sweep (on the evaluation's beat) expires it once its end has passed.
        await Eventually.TrueAsync(async () => (await developer.GetFromJsonAsync<JsonArray>($"/api/v1/silences?workspaceId={team.WorkspaceId}&includeEnded=true"))!
            .Single()!["expiredAt"] is not null, TimeSpan.FromSeconds(20), "the silence expires");
    }

    internal static Task<JsonArray> WaitForAlertsAsync(HttpClient client, string query, Func<JsonArray, bool> until, string because) =>
        Eventually.GetAsync(async () => (await client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?{query}"))!["items"]!.AsArray(), until,
            TimeSpan.FromSeconds(30), because);

    /// <summary>Waits until the evaluating replica has run <paramref name="count"/> more evaluations.</summary>
    internal static async Task AfterEvaluationsAsync(CocktailApp app, int count)
    {
        var scheduler = app.Services.GetRequiredService<AlertEvaluationScheduler>();
        var target = scheduler.Evaluations + count;
        await Eventually.TrueAsync(() => Task.FromResult(scheduler.Evaluations >= target), TimeSpan.FromSeconds(30), $"{count} evaluations");
    }
}
