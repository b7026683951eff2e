using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.Application.Logs;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

[Collection(SecondBrowserCollection.Name)]
public sealed class AlertsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private KubeSimCluster _sim = default!;
    private Guid _clusterId;

    public async Task InitializeAsync()
    {
        _sim = await Sims.StartAsync(nodes: 1, pods: 0);
        using var admin = await browser.App.AsAdminAsync();
        _clusterId = await Sims.RegisterAsync(admin, _sim);
    }

    public async Task DisposeAsync() => await Sims.RetireAsync(browser.App, _sim);

    [Fact]
    public async Task a_workspace_admin_creates_a_custom_rule_and_sees_why_an_expression_reaching_another_namespace_is_refused()
    {
        var owner = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, owner, role: "WorkspaceAdmin");
        var page = await browser.SignedInAsync(owner.UserName, owner.Password);

        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/alert-rules");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alert rules" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("alert-rules-table")).ToContainTextAsync("Service map quota nearly used");
        await page.GetByTestId("new-alert-rule").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("Queue deep");
        await dialog.GetByLabel("PromQL expression").FillAsync("shop_queue_depth{namespace=\"kube-system\"} > 3");
        await dialog.GetByLabel("For").FillAsync("1m");
        await dialog.GetByLabel("Summary").FillAsync("{{ $labels.queue }} holds {{ $value }}");
        await dialog.GetByTestId("rule-save").ClickAsync();
        await Expect(dialog.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("kube-system");

        await dialog.GetByLabel("PromQL expression").FillAsync("shop_queue_depth > 3");
        await dialog.GetByTestId("rule-save").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        var row = page.GetByTestId("alert-rules-table").Locator("tr").Filter(new() { HasText = "Queue deep" });
        await Expect(row).ToContainTextAsync("shop_queue_depth > 3");
        await Expect(row).ToContainTextAsync("1m");
        await Expect(row).ToContainTextAsync($"changed by {owner.UserName}");
    }

    [Fact]
    public async Task a_developer_acknowledges_a_firing_alert_with_a_note_and_the_row_says_who()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, developer);
        await FireFromAlertmanagerAsync(team.Namespace);
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);

        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/alerts");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alerts", Exact = true })).ToBeVisibleAsync();
        var row = page.GetByTestId("alerts-table").Locator("tr").Filter(new() { HasText = "CheckoutDown" });
        await Expect(row).ToContainTextAsync("checkout has no ready pod");
        await Expect(row.GetByTestId("alert-state")).ToContainTextAsync("Firing");

        await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Note (optional)").FillAsync("rolling back");
        await dialog.GetByTestId("acknowledge-submit").ClickAsync();
        await Expect(row.GetByTestId("alert-acknowledged")).ToContainTextAsync($"Acknowledged by {developer.UserName}: “rolling back”");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task show_logs_on_an_alert_row_opens_the_search_of_its_workload_from_five_minutes_before_it_fired()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, developer);
        // The alert's time is when Cocktail heard of it (its firing event), so the window is read back from the link.
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await FireFromAlertmanagerAsync(team.Namespace, "CheckoutErrors", before, ("deployment", "checkout"));
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var store = browser.App.Services.GetRequiredService<ILogStore>();
        IncomingLogLine Line(DateTimeOffset time, string workload, string body) =>
            new(time, time, 17, "ERROR", body, false, _clusterId, Guid.Parse(team.WorkspaceId), Guid.Parse(team.MapId), team.Namespace,
                $"{workload}-7f9c4-x2x9q", workload, "node-1", "Deployment", workload);
        var stored = await store.AppendAsync([
            Line(before.AddMinutes(-2), "checkout", "payment provider answered 502"),
            Line(before.AddMinutes(-20), "checkout", "a line from before the window"),
            Line(before.AddMinutes(-1), "cart", "a line of another workload"),
        ], CancellationToken.None);
        Assert.Equal(3, stored.Stored);

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/alerts");
        var row = page.GetByTestId("alerts-table").Locator("tr").Filter(new() { HasText = "CheckoutErrors" });
        await Expect(row.GetByTestId("alert-state")).ToContainTextAsync("Firing");
        var link = row.GetByTestId("show-logs");
        await Expect(link).ToHaveAttributeAsync("href", new Regex(
            $"^/logs\\?cluster={_clusterId}&workspace={team.WorkspaceId}&serviceMap={team.MapId}&workload=checkout&range=custom&from=[^&]+$"));
        var href = (await link.GetAttributeAsync("href"))!;
        var from = DateTimeOffset.Parse(Uri.UnescapeDataString(href[(href.IndexOf("&from=", StringComparison.Ordinal) + 6)..]), CultureInfo.InvariantCulture);
        Assert.InRange(from, before.AddMinutes(-5).AddSeconds(-1), after.AddMinutes(-5));
        await link.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Workload", new() { Exact = true })).ToHaveValueAsync("checkout");
        await Expect(page.GetByLabel("Cluster", new() { Exact = true })).ToHaveValueAsync(_sim.Name);
        await Expect(page.GetByLabel("Service map", new() { Exact = true })).ToHaveValueAsync(team.MapName);
        await Expect(page.GetByTestId("logs-body")).ToHaveTextAsync(["payment provider answered 502"]);
        await Expect(page.GetByTestId("logs-pod")).ToContainTextAsync(["checkout-7f9c4-x2x9q"]);
    }

    private async Task FireFromAlertmanagerAsync(string ns) =>
        await FireFromAlertmanagerAsync(ns, "CheckoutDown", DateTimeOffset.Parse("2026-12-02T08:00:00Z", CultureInfo.InvariantCulture));

    private async Task FireFromAlertmanagerAsync(string ns, string name, DateTimeOffset startsAt, params (string Key, string Value)[] labels)
    {
        using var admin = await browser.App.AsAdminAsync();
        var setup = await SendAsync(admin, $"/api/v1/clusters/{_clusterId}/alertmanager-webhook/rotate", new { });
        using var alertmanager = browser.App.Anonymous();
        alertmanager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestSecrets.Remember((string)setup["secret"]!));
        var payload = new JsonObject
        {
            ["version"] = "4", ["status"] = "firing", ["receiver"] = "cocktail", ["groupKey"] = "{}", ["groupLabels"] = new JsonObject(),
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["status"] = "firing",
                ["labels"] = Labels(),
                ["annotations"] = new JsonObject { ["summary"] = "checkout has no ready pod" },
                ["startsAt"] = startsAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            }),
        };
        JsonObject Labels()
        {
            var all = new JsonObject { ["alertname"] = name, ["namespace"] = ns, ["severity"] = "critical" };
            foreach (var (key, value) in labels) all[key] = value;
            return all;
        }
        var response = await alertmanager.PostAsync($"/api/v1/clusters/{_clusterId}/alertmanager", new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}
