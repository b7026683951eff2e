using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Alerts;

/// <summary>The per-cluster Alertmanager webhook (payload version 4): its secret, its refusals and its routing.</summary>
[Collection(AlertsCollection.Name)]
public sealed class AlertmanagerWebhookTests(AlertsApp app)
{
    [Fact]
    public async Task the_secret_is_shown_once_when_made_stops_working_when_rotated_and_wrong_or_missing_secrets_get_401()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var url = $"/api/v1/clusters/{team.ClusterId}/alertmanager";

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(url, "whatever", Payload("firing", ("alertname", "X")))).StatusCode);
        var first = await RotateAsync(team);
        Assert.StartsWith("ckam_", first);
        var status = await (await team.Admin.GetAsync($"/api/v1/clusters/{team.ClusterId}/alertmanager-webhook")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(first, status);
        Assert.Contains("\"configured\":true", status);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.WorkspaceAdmin.Client.PostAsync($"/api/v1/clusters/{team.ClusterId}/alertmanager-webhook/rotate", null)).StatusCode);

        var second = await RotateAsync(team);
        var stale = await PostAsync(url, first, Payload("firing", ("alertname", "X")));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.DoesNotContain(first, await stale.Content.ReadAsStringAsync());
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(url, new StringContent(Payload("firing", ("alertname", "X")), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, second, Payload("resolved", ("alertname", "Nothing")))).StatusCode);
    }

    [Fact]
    public async Task malformed_json_and_payloads_that_are_not_version_4_get_400_and_record_nothing()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var secret = await RotateAsync(team);
        var url = $"/api/v1/clusters/{team.ClusterId}/alertmanager";

        var broken = await PostAsync(url, secret, "{\"version\":\"4\",\"alerts\":[");
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.NotNull((await broken.BodyAsync())["errors"]!["body"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(url, secret, Payload("firing", ("alertname", "X")).Replace("\"version\":\"4\"", "\"version\":\"3\""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(url, secret, Payload("firing", ("severity", "critical")))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(url, secret, "[]")).StatusCode);
        var tooBig = await PostAsync(url, secret, Payload("firing", ("alertname", "X"), ("blob", new string('a', 1_100_000))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        Assert.Empty((await team.Admin.GetFromJsonAsync<JsonObject>("/api/v1/alerts?state=all&clusterId=" + team.ClusterId))!["items"]!.AsArray());
    }

    [Fact]
    public async Task an_alert_in_a_service_maps_namespace_goes_to_its_workspace_one_without_to_the_platform_and_resolved_resolves_it()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var ns = $"shop-{Guid.NewGuid():N}"[..12];
        await team.CreateServiceMapAsync(team.Admin, ns);
        var secret = await RotateAsync(team);
        var url = $"/api/v1/clusters/{team.ClusterId}/alertmanager";

        var posted = await PostAsync(url, secret, Payload("firing", ("alertname", "KubePodCrashLooping"), ("namespace", ns), ("pod", "checkout-0"), ("severity", "critical")));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(1, (int)(await posted.BodyAsync())["fired"]!);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, secret, Payload("firing", ("alertname", "NodeDiskFull"), ("instance", "node-1")))).StatusCode);
        // Alertmanager repeats a firing alert: it stays one alert.
        Assert.Equal(0, (int)(await (await PostAsync(url, secret, Payload("firing", ("alertname", "KubePodCrashLooping"), ("namespace", ns), ("pod", "checkout-0"), ("severity", "critical")))).BodyAsync())["fired"]!);

        var workspace = (await team.Developer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?workspaceId={team.WorkspaceId}"))!["items"]!.AsArray();
        var crash = Assert.Single(workspace)!;
        Assert.Equal(("KubePodCrashLooping", "Critical", "Alertmanager", "checkout-0 is crash-looping"),
            ((string)crash["ruleName"]!, (string)crash["severity"]!, (string)crash["source"]!, (string)crash["summary"]!));
        var platform = (await team.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?clusterId={team.ClusterId}"))!["items"]!.AsArray();
        Assert.Equal("NodeDiskFull", (string)Assert.Single(platform)!["ruleName"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.Developer.Client.GetAsync("/api/v1/alerts")).StatusCode);

        Assert.Equal(1, (int)(await (await PostAsync(url, secret, Payload("resolved", ("alertname", "KubePodCrashLooping"), ("namespace", ns), ("pod", "checkout-0"), ("severity", "critical")))).BodyAsync())["resolved"]!);
        Assert.Empty((await team.Developer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?workspaceId={team.WorkspaceId}"))!["items"]!.AsArray());
        Assert.False((bool)Assert.Single((await team.Developer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?workspaceId={team.WorkspaceId}&state=all"))!["items"]!.AsArray())!["firing"]!);
    }

    private async Task<string> RotateAsync(Tenancy.Tenancy team)
    {
        var response = await team.Admin.PostAsync($"/api/v1/clusters/{team.ClusterId}/alertmanager-webhook/rotate", null);
        var body = await response.BodyAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("credentials: " + (string)body["secret"]!, (string)body["receiverConfig"]!);
        return TestSecrets.Remember((string)body["secret"]!);
    }

    private async Task<HttpResponseMessage> PostAsync(string url, string secret, string json)
    {
        using var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    /// <summary>Alertmanager's webhook body (version 4) with one alert.</summary>
    internal static string Payload(string status, params (string Name, string Value)[] labels)
    {
        var labelObject = new JsonObject();
        foreach (var (name, value) in labels) labelObject[name] = value;
        var pod = labels.FirstOrDefault(l => l.Name == "pod").Value;
        return new JsonObject
        {
            ["version"] = "4", ["groupKey"] = "{}:{alertname=\"x\"}", ["truncatedAlerts"] = 0, ["status"] = status, ["receiver"] = "cocktail",
            ["groupLabels"] = new JsonObject(), ["commonLabels"] = labelObject.DeepClone(), ["commonAnnotations"] = new JsonObject(),
            ["externalURL"] = "http://alertmanager:9093",
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["status"] = status, ["labels"] = labelObject,
                ["annotations"] = pod is null ? new JsonObject() : new JsonObject { ["summary"] = $"{pod} is crash-looping" },
                ["startsAt"] = "2026-12-02T08:00:00Z", ["endsAt"] = status == "resolved" ? "2026-12-02T08:05:00Z" : "0001-01-01T00:00:00Z",
                ["generatorURL"] = "http://prometheus:9090/graph", ["fingerprint"] = "0123456789abcdef",
            }),
        }.ToJsonString();
    }
}
