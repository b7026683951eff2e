using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;

namespace Cocktail.Integration.Tests.Alerts;

[Collection(AlertsCollection.Name)]
public sealed class AlertRulesApiTests(AlertsApp app)
{
    [Fact]
    public async Task a_workspace_admin_creates_a_custom_rule_that_is_listed_after_the_built_ins_and_a_refused_expression_says_why_at_expression()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        await team.CreateServiceMapAsync(team.Admin, $"shop-{Guid.NewGuid():N}"[..12]);
        var client = team.WorkspaceAdmin.Client;

        var created = await client.PostAsJsonAsync("/api/v1/alert-rules", new
        {
            workspaceId = team.WorkspaceId, name = "Hot pods", expression = "sum by (pod) (rate(container_cpu_usage_seconds_total[5m])) > 0.9",
            @for = "2m", severity = "Critical", labels = new { team = "shop" }, summary = "{{ $labels.pod }} burns {{ $value }} cores",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.BodyAsync();
        Assert.Equal(("Hot pods", "2m", "Critical"), ((string)rule["definition"]!["name"]!, (string)rule["for"]!, (string)rule["definition"]!["severity"]!));

        var list = (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>($"/api/v1/alert-rules?workspaceId={team.WorkspaceId}"))!;
        Assert.Equal(["Cluster unreachable", "Pod crash-looping", "Workload unavailable", "Service map quota nearly used", "Volume nearly full",
            "Access grant expiring", "Hot pods"], list.Select(r => (string)r!["definition"]!["name"]!).ToArray());

        var unparsable = await client.PostAsJsonAsync("/api/v1/alert-rules", new { workspaceId = team.WorkspaceId, name = "Bad", expression = "sum(rate(x[5m]", severity = "Warning" });
        Assert.Equal(HttpStatusCode.BadRequest, unparsable.StatusCode);
        Assert.NotEmpty((string)(await unparsable.BodyAsync())["errors"]!["expression"]![0]!);

        var elsewhere = await client.PostAsJsonAsync("/api/v1/alert-rules", new
        {
            workspaceId = team.WorkspaceId, name = "Peek", expression = "up{namespace=\"kube-system\"}", severity = "Warning",
        });
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.Contains("kube-system", (string)(await elsewhere.BodyAsync())["errors"]!["expression"]![0]!);
        Assert.DoesNotContain((await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>($"/api/v1/alert-rules?workspaceId={team.WorkspaceId}"))!,
            r => (string)r!["definition"]!["name"]! is "Bad" or "Peek");
    }

    [Fact]
    public async Task tuning_a_built_in_records_the_defaults_as_before_and_viewers_and_strangers_cannot_write_rules()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var list = (await team.WorkspaceAdmin.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>($"/api/v1/alert-rules?workspaceId={team.WorkspaceId}"))!;
        var quota = list.Single(r => (string)r!["definition"]!["builtIn"]! == "QuotaNearlyUsed")!;
        Assert.Equal((90.0, false), ((double)quota["definition"]!["threshold"]!, (bool)quota["tuned"]!));

        var tuned = await team.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/alert-rules/{quota["id"]}", new
        {
            workspaceId = team.WorkspaceId, name = "Quota nearly used", @for = "1m", severity = "Critical", threshold = 80, enabled = true,
        });
        Assert.Equal(HttpStatusCode.OK, tuned.StatusCode);
        var body = await tuned.BodyAsync();
        Assert.Equal((80.0, true, "1m", 1L), ((double)body["definition"]!["threshold"]!, (bool)body["tuned"]!, (string)body["for"]!, (long)body["version"]!));

        var outOfRange = await team.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/alert-rules/{quota["id"]}", new
        {
            workspaceId = team.WorkspaceId, name = "Quota", severity = "Critical", threshold = 150, enabled = true,
        });
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.NotNull((await outOfRange.BodyAsync())["errors"]!["threshold"]);

        var asViewer = await team.Viewer.Client.PostAsJsonAsync("/api/v1/alert-rules", new { workspaceId = team.WorkspaceId, name = "x", expression = "up", severity = "Info" });
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        var stranger = await app.CreateUserAsync();
        var asStranger = await stranger.Client.GetAsync($"/api/v1/alert-rules?workspaceId={team.WorkspaceId}");
        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.GetAsync("/api/v1/alert-rules")).StatusCode);
    }
}
