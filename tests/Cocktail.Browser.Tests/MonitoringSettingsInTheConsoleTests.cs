using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>The cluster page's Monitoring dialog: a detected Prometheus is offered, tested and saved.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MonitoringSettingsInTheConsoleTests(BrowserFixture browser)
{
    [SkippableFact]
    public async Task an_admin_uses_the_detected_prometheus_tests_it_and_saves_it()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(browser.App, options: new MonitoredClusterOptions { Nodes = 1, ConfigureMonitoring = false });
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/clusters/{monitored.ClusterId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = monitored.Cluster.Name })).ToBeVisibleAsync();

        // The inventory needs a moment to see the Service; reopen the dialog until it offers it.
        await Eventually.TrueAsync(async () =>
        {
            await page.GetByTestId("cluster-monitoring").ClickAsync();
            var offered = page.GetByTestId("monitoring-detected");
            try { await Expect(offered).ToBeVisibleAsync(new() { Timeout = 2_000 }); return true; }
            catch (PlaywrightException) { await page.Keyboard.PressAsync("Escape"); return false; }
        }, TimeSpan.FromSeconds(20), "the dialog to offer the detected Prometheus");
        await Expect(page.GetByTestId("monitoring-detected")).ToContainTextAsync("monitoring/prometheus-operated");
        await page.GetByTestId("monitoring-use-detected").ClickAsync();
        await Expect(page.GetByTestId("monitoring-service").Locator("input")).ToHaveValueAsync("prometheus-operated");

        await page.GetByTestId("monitoring-test").ClickAsync();
        await Expect(page.GetByTestId("monitoring-test-result")).ToContainTextAsync("Prometheus 2.");
        await page.GetByTestId("monitoring-save").ClickAsync();
        await Expect(page.GetByText("Monitoring settings saved.")).ToBeVisibleAsync();

        using var admin = await browser.App.AsAdminAsync();
        var settings = System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync($"/api/v1/clusters/{monitored.ClusterId}/monitoring"))!;
        Assert.Equal("ServiceProxy", (string)settings["source"]!);
        Assert.Equal("prometheus-operated", (string)settings["serviceName"]!);
        Assert.Equal(9090, (int)settings["servicePort"]!);
    }
}
