using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
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

    private async Task FireFromAlertmanagerAsync(string ns)
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
                ["labels"] = new JsonObject { ["alertname"] = "CheckoutDown", ["namespace"] = ns, ["severity"] = "critical" },
                ["annotations"] = new JsonObject { ["summary"] = "checkout has no ready pod" },
                ["startsAt"] = "2026-12-02T08:00:00Z",
            }),
        };
        var response = await alertmanager.PostAsync($"/api/v1/clusters/{_clusterId}/alertmanager", new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}
