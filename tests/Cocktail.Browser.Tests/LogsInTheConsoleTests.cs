using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>The workload's Logs tab: every pod in one stream, searched, filtered, wrapped, downloaded; previous containers.</summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class LogsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // A new pod choice ends one set of follows and opens another; with the whole browser suite on 2 cores that has been
    // seen to take longer than 20 s (the test passes alone in seconds).
    private static readonly LocatorAssertionsToContainTextOptions Slow = new() { Timeout = 45_000 };

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
    public async Task a_developer_reads_every_pod_of_a_workload_in_one_stream_searches_it_and_downloads_what_is_shown()
    {
        var developer = await browser.App.CreateUserAsync();
        var (_, map) = await ConsoleWorld.ServiceMapAsync(browser.App, _clusterId, developer, "logs");
        var workloadId = await ConsoleWorld.DeployAsync(browser.App, map.MapId, "web", replicas: 2);
        await ConsoleWorld.RunningPodAsync(browser.App, _clusterId, map.Namespace);
        var pods = _sim.Objects.List("v1", "Pod").Where(p => (string?)p["metadata"]!["namespace"] == map.Namespace)
            .Select(p => (string)p["metadata"]!["name"]!).Order().ToArray();
        Assert.Equal(2, pods.Length);
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);

        await page.GotoAsync($"/workloads/{workloadId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs", Exact = true }).ClickAsync();
        var log = page.GetByTestId("workload-log");
        foreach (var pod in pods)
        {
            await Expect(log).ToContainTextAsync($"[{pod}/web] ", Slow);
            await Expect(log).ToContainTextAsync($"INFO {pod}/web request served", Slow);
        }
        await Expect(page.GetByTestId("log-status")).ToContainTextAsync("2 pod(s), 2 container(s)");

        // Search: matches are highlighted; "only matching lines" keeps just those.
        await page.GetByLabel("Search the log").FillAsync($"{pods[1]}/web request");
        await Expect(page.GetByTestId("log-match").First).ToHaveTextAsync($"{pods[1]}/web request");
        await Expect(page.GetByTestId("log-match-count")).ToContainTextAsync("line(s) match");
        await page.GetByLabel("Only matching lines").CheckAsync();
        await Expect(log).Not.ToContainTextAsync($"INFO {pods[0]}/web request served");
        await Expect(log).ToContainTextAsync($"[{pods[1]}/web] ");
        var shown = await page.GetByTestId("log-line").AllInnerTextsAsync();
        Assert.All(shown, line => Assert.Contains($"{pods[1]}/web request", line));

        // Wrap off: long lines scroll instead of wrapping.
        await Expect(log).ToHaveCSSAsync("white-space", "pre-wrap");
        await page.GetByLabel("Wrap lines").UncheckAsync();
        await Expect(log).ToHaveCSSAsync("white-space", "pre");

        // Download: exactly the lines shown, each with its pod and container.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("log-download").ClickAsync());
        Assert.Equal("web.log", download.SuggestedFilename);
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.StartsWith($"[{pods[1]}/web] ", line));

        // Previous containers: none restarted, and the page says so.
        await page.GetByLabel("Previous containers").CheckAsync();
        await Expect(page.GetByTestId("log-status")).ToContainTextAsync("No container of these pods has restarted");

        // One pod only: its lines, still prefixed.
        await page.GetByLabel("Previous containers").UncheckAsync();
        await page.GetByLabel("Search the log").FillAsync("");
        await page.GetByTestId("log-pod").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = $"{pods[0]} (Running)" }).ClickAsync();
        await Expect(log).ToContainTextAsync($"[{pods[0]}/web] ", Slow);
        await Expect(log).Not.ToContainTextAsync($"[{pods[1]}/web] ");
    }
}
