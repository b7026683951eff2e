using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>The fleet overview and a workload's Metrics tab: the figures, lines and legends a person reads, and what they are told without Prometheus.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MetricsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
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
    public async Task the_fleet_overview_shows_each_cluster_s_use_against_capacity_and_a_member_only_their_clusters()
    {
        var member = await browser.App.CreateUserAsync();
        await ConsoleWorld.TeamAsync(browser.App, _clusterId, member);
        var hidden = await Sims.StartAsync(nodes: 1, pods: 0);
        await using var _ = hidden;
        using (var admin = await browser.App.AsAdminAsync()) await Sims.RegisterAsync(admin, hidden);

        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Monitoring" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Fleet", Exact = true })).ToBeVisibleAsync();
        await page.GetByPlaceholder("Filter by cluster name").FillAsync(_sim.Name);
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = _sim.Name });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("1 / 1 ready");
        await Expect(row.GetByTestId("fleet-cpu")).ToContainTextAsync(new Regex(@"[\d.m]+ / [\d.]+ cores \(\d+%\)"));
        await Expect(row.GetByTestId("fleet-memory")).ToContainTextAsync(new Regex(@" / [\d.]+ GiB"));
        await Expect(row.GetByTestId("fleet-pods")).ToContainTextAsync(new Regex(@"\d+ / 110"));
        await Expect(row.GetByTestId("fleet-storage")).ToContainTextAsync("No Prometheus set for this cluster.");

        var memberPage = await browser.SignedInAsync(member.UserName, member.Password);
        await memberPage.GotoAsync("/monitoring");
        await Expect(memberPage.GetByTestId("fleet-table")).ToContainTextAsync(_sim.Name);
        await Expect(memberPage.GetByTestId("fleet-table")).Not.ToContainTextAsync(hidden.Name);
    }

    [Fact]
    public async Task a_workload_s_metrics_tab_without_prometheus_shows_the_live_figures_and_says_how_to_set_one()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, member);
        var workloadId = await ConsoleWorld.DeployAsync(browser.App, team.MapId, "shop", replicas: 2);
        await ConsoleWorld.RunningPodAsync(browser.App, _clusterId, team.Namespace);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/workloads/{workloadId}?tab=metrics");

        await Expect(page.GetByTestId("live-cpu")).ToContainTextAsync(new Regex(@"CPU \d+m cores"));
        await Expect(page.GetByTestId("live-items")).ToContainTextAsync($"{team.Namespace}/shop-");
        await Expect(page.GetByText("No Prometheus for this cluster")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("metrics-not-configured")).ToContainTextAsync($"{_sim.Name} has no Prometheus. Set where this cluster's Prometheus is");
    }

    [SkippableFact]
    public async Task a_workload_s_charts_show_a_line_per_pod_with_its_latest_value()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(browser.App, options: new MonitoredClusterOptions { Nodes = 1 });
        var member = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, monitored.ClusterId, member);
        var workloadId = await ConsoleWorld.DeployAsync(browser.App, team.MapId, "shop", replicas: 2);
        var pod = await ConsoleWorld.RunningPodAsync(browser.App, monitored.ClusterId, team.Namespace);
        // Prometheus must have scraped every target (kubelet, cAdvisor, kube-state-metrics) and the charts the page reads
        // must hold the pod's line at one of their points (each a multiple of the step, the last at most a step old):
        // wait on exactly that, through Cocktail's own chart API, before the page looks.
        await monitored.Prometheus.WaitForTargetsUpAsync(TimeSpan.FromSeconds(30));
        using var api = await browser.App.AsUserAsync(member.UserName, member.Password);
        foreach (var chart in new[] { "memory", "cpu", "restarts" })
            await ChartHasLineAsync(api, workloadId, chart, "1h", pod, TimeSpan.FromSeconds(60));

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/workloads/{workloadId}?tab=metrics");

        var memory = page.GetByTestId("chart-memory");
        await Expect(memory.GetByRole(AriaRole.Heading, new() { Name = "Memory" })).ToBeVisibleAsync();
        await Expect(memory.GetByTestId("chart-latest")).ToContainTextAsync(new Regex($@"{Regex.Escape(pod)}: [\d.]+ MiB"));
        await Expect(memory.GetByText(pod, new() { Exact = true })).ToBeVisibleAsync(); // the legend
        await Expect(page.GetByTestId("chart-cpu").GetByTestId("chart-latest")).ToContainTextAsync(new Regex($@"{Regex.Escape(pod)}: [\d.]+ cores"));
        await Expect(page.GetByTestId("chart-restarts").GetByTestId("chart-latest")).ToContainTextAsync($"{pod}: 0");
        await Expect(page.GetByTestId("chart-gpu-utilisation")).ToContainTextAsync("No data in this range. Nothing here runs on a GPU");

        await ChartHasLineAsync(api, workloadId, "memory", "6h", pod, TimeSpan.FromSeconds(150)); // 6 h step by 2 min
        await page.GetByTestId("range-6h").ClickAsync();
        await Expect(memory.GetByTestId("chart-latest")).ToContainTextAsync(pod);
        await page.GetByTestId("range-custom").ClickAsync();
        await page.GetByLabel("Start (UTC)").FillAsync("2026-01-02T00:00");
        await page.GetByLabel("End (UTC)").FillAsync("2026-01-01T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByTestId("range-error")).ToContainTextAsync("The end must come after the start.");
    }

    /// <summary>Until the chart's API answer has a line named after the pod with at least one point (bounded).</summary>
    private static Task ChartHasLineAsync(HttpClient api, string workloadId, string chart, string range, string pod, TimeSpan timeout) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await api.GetAsync($"/api/v1/workloads/{workloadId}/metrics/{chart}?range={range}");
            if (!response.IsSuccessStatusCode) return false;
            var body = await response.Content.ReadFromJsonAsync<JsonNode>();
            return body!["series"]!.AsArray().Any(l => (string?)l!["name"] == pod && l["points"]!.AsArray().Count > 0);
        }, timeout, $"the {range} {chart} chart of the workload to have a line for {pod}");
}
