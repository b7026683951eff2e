using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>Finding things: the top bar's search and switcher, breadcrumbs back up, and pages that fit a laptop screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NavigationInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveCountOptions SearchAnswered = new() { Timeout = 15_000 };

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
    public async Task search_finds_a_workload_and_opens_it_and_a_member_s_search_does_not_find_another_workspace()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, developer, "Developer");
        var other = await ConsoleWorld.TeamAsync(browser.App, _clusterId, await browser.App.CreateUserAsync(), "Developer");
        var workload = $"find-{Guid.NewGuid():N}"[..12];
        using (var api = await browser.App.AsAdminAsync())
            await ConsoleWorld.SendAsync(api, $"/api/v1/service-maps/{team.MapId}/workloads", new
            {
                name = workload, kind = "Deployment", replicas = 1,
                containers = new[] { new { name = "web", image = "registry.example.com/shop/web:1.0", resources = new { limits = new { cpu = "100m", memory = "64Mi" } } } },
            });
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        var search = page.GetByPlaceholder("Search clusters, workspaces, workloads");

        await search.ClickAsync();
        await search.PressSequentiallyAsync(workload);
        var hit = page.GetByRole(AriaRole.Option).Filter(new() { HasText = workload });
        await Expect(hit).ToHaveCountAsync(1, SearchAnswered);
        await Expect(hit).ToContainTextAsync("Workload");
        await Expect(hit).ToContainTextAsync($"Deployment in {team.Namespace}");
        await hit.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = workload })).ToBeVisibleAsync();

        await search.ClickAsync();
        await search.FillAsync("");
        await search.PressSequentiallyAsync(other.WorkspaceName);
        await Expect(page.GetByText("Nothing you may see has that name.")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task breadcrumbs_lead_back_from_a_workload_to_its_service_map_its_workspace_and_the_list_and_the_switcher_jumps_to_a_cluster()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, developer, "Developer");
        string workloadId;
        using (var api = await browser.App.AsAdminAsync())
            workloadId = (string)(await ConsoleWorld.SendAsync(api, $"/api/v1/service-maps/{team.MapId}/workloads", new
            {
                name = "crumbs", kind = "Deployment", replicas = 1,
                containers = new[] { new { name = "web", image = "registry.example.com/shop/web:1.0" } },
            }))["id"]!;
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workloads/{workloadId}");
        var crumbs = page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" });
        await Expect(crumbs).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"Home\\s*›\\s*Workspaces\\s*›\\s*{team.WorkspaceName}\\s*›\\s*{team.MapName}\\s*›\\s*crumbs"));

        await crumbs.GetByRole(AriaRole.Link, new() { Name = team.MapName }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = team.MapName })).ToBeVisibleAsync();
        await crumbs.GetByRole(AriaRole.Link, new() { Name = team.WorkspaceName }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = team.WorkspaceName })).ToBeVisibleAsync();
        // On a workspace's page the switcher says which workspace this is.
        var switcher = page.GetByTestId("context-switcher");
        await Expect(switcher).ToContainTextAsync($"Workspace: {team.WorkspaceName}");
        await crumbs.GetByRole(AriaRole.Link, new() { Name = "Workspaces" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Workspaces", Exact = true })).ToBeVisibleAsync();
        await Expect(switcher).ToContainTextAsync("Jump to");

        await page.GetByRole(AriaRole.Button, new() { Name = "Jump to" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = _sim.Name, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = _sim.Name })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"Clusters\\s*›\\s*{_sim.Name}"));
        await Expect(switcher).ToContainTextAsync($"Cluster: {_sim.Name}");

        // An object of the cluster has its trail too, and is still on the cluster.
        await page.GotoAsync($"/clusters/{_clusterId}/objects/deployments/{team.Namespace}/crumbs");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex($"Home\\s*›\\s*Clusters\\s*›\\s*{_sim.Name}\\s*›\\s*Workloads\\s*›\\s*{team.Namespace}/crumbs"),
            new() { Timeout = 30_000 });
        await Expect(switcher).ToContainTextAsync($"Cluster: {_sim.Name}");
    }

    [Fact]
    public async Task at_1440_by_900_no_table_of_the_main_pages_scrolls_sideways()
    {
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, await browser.App.CreateUserAsync(), "Developer");
        string workloadId;
        using (var api = await browser.App.AsAdminAsync())
            workloadId = (string)(await ConsoleWorld.SendAsync(api, $"/api/v1/service-maps/{team.MapId}/workloads", new
            {
                name = "wide", kind = "Deployment", replicas = 1,
                containers = new[] { new { name = "web", image = "registry.example.com/a/rather/long/path/to/an/image/with-a-long-name:1.0.0-build.12345" } },
            }))["id"]!;
        var node = (string)_sim.Objects.List("v1", "Node").Single()["metadata"]!["name"]!;
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.SetViewportSizeAsync(1440, 900);
        string[] pages =
        [
            "/", "/clusters", $"/clusters/{_clusterId}", $"/clusters/{_clusterId}?tab=pods", $"/clusters/{_clusterId}?tab=workloads", "/workspaces",
            $"/workspaces/{team.WorkspaceId}", $"/service-maps/{team.MapId}", $"/workloads/{workloadId}", "/access", "/access/grants",
            "/access/requests", "/quota-requests", "/settings/users", "/audit", "/audit/terminal-sessions",
            $"/clusters/{_clusterId}/objects/nodes/{node}", $"/clusters/{_clusterId}/objects/deployments/{team.Namespace}/wide",
        ];
        var overflowing = new List<string>();
        foreach (var path in pages)
        {
            await page.GotoAsync(path);
            try
            {
                await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 }).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
            }
            catch (PlaywrightException e)
            {
                throw new InvalidOperationException($"{path} shows no page heading: {e.Message}", e);
            }
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var wide = await page.EvaluateAsync<string[]>(
                """
                () => [...document.querySelectorAll('.mud-table-container, table')]
                    .filter(t => t.scrollWidth > t.clientWidth + 1)
                    .map(t => (t.closest('[data-testid]')?.getAttribute('data-testid') ?? t.className) + ' ' + t.scrollWidth + '>' + t.clientWidth)
                """);
            var pageWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (wide.Length > 0) overflowing.Add($"{path}: {string.Join(", ", wide)}");
            if (pageWidth > 1440) overflowing.Add($"{path}: the page is {pageWidth} px wide");
        }
        Assert.True(overflowing.Count == 0, "Tables wider than a 1440 px screen:\n" + string.Join("\n", overflowing));
    }
}
