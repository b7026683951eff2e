using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>The start page each person lands on: their own workspaces, grants and troubles; the fleet for platform admins.</summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class HomeInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToContainTextOptions Live = new() { Timeout = 20_000 };

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
    public async Task a_member_s_home_lists_their_workspace_with_its_quota_and_when_their_grant_ends_and_no_fleet_counts()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, member, "Developer", quota: new { cpu = "1", memory = "2Gi", pods = "10" });
        using var admin = await browser.App.AsAdminAsync();
        var until = DateTimeOffset.UtcNow.AddDays(3);
        await ConsoleWorld.SendAsync(admin, "/api/v1/access-grants", new
        {
            userId = member.Id, clusterId = _clusterId, scope = "ServiceMap", serviceMapId = team.MapId, role = "edit", validUntil = until, reason = "on call",
        });
        var other = await ConsoleWorld.TeamAsync(browser.App, _clusterId, await browser.App.CreateUserAsync(), "Developer");

        var page = await browser.SignedInAsync(member.UserName, member.Password);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Home", Exact = true })).ToBeVisibleAsync();
        var workspaces = page.GetByTestId("my-workspaces");
        await Expect(workspaces.GetByRole(AriaRole.Link, new() { Name = team.WorkspaceName })).ToBeVisibleAsync();
        await Expect(workspaces).ToContainTextAsync($"Allocated to service maps on {_sim.Name} (Shared)");
        await Expect(workspaces).ToContainTextAsync("CPU 1 / 4 cores (25%)");
        await Expect(workspaces).Not.ToContainTextAsync(other.WorkspaceName);
        var grant = page.GetByTestId("home-grant");
        await Expect(grant).ToContainTextAsync($"edit on {_sim.Name} · namespace {team.Namespace}");
        await Expect(grant).ToContainTextAsync($"ends {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC (in 3 days)");
        await Expect(page.GetByTestId("waiting-for-me")).ToContainTextAsync("No request waits for your decision.");
        await Expect(page.GetByText("Platform", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByText("Events today")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Clusters in trouble")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task an_admin_s_home_shows_a_cluster_that_stopped_answering_among_the_clusters_in_trouble()
    {
        await using var failing = await Sims.StartAsync(nodes: 1, pods: 0);
        using (var api = await browser.App.AsAdminAsync())
            await Sims.RegisterAsync(api, failing);
        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await Expect(admin.GetByTestId("fleet")).ToContainTextAsync("Events today");

        await failing.Faults.StopAnsweringAsync();

        // The page is left open: the cluster joins the list as its health changes, without a reload.
        var trouble = admin.GetByTestId("troubled-cluster").Filter(new() { HasText = failing.Name });
        await Expect(trouble).ToContainTextAsync("Unreachable", Live);
        await Expect(admin.GetByTestId("clusters-in-trouble")).Not.ToContainTextAsync(_sim.Name);
        await trouble.GetByRole(AriaRole.Link, new() { Name = failing.Name }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = failing.Name })).ToBeVisibleAsync();
    }
}
