using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

/// <summary>The first things a new user meets: the account menu, pages their role does not allow, wrong addresses.</summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class AccountAndRefusalsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Rollout = new() { Timeout = 30_000 };

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
    public async Task the_account_menu_opens_with_a_mouse_click_and_signing_out_ends_the_session()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInAsync(user.UserName, user.Password);

        await OpenAccountMenuAsync(page, user);
        await Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Account" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "API tokens" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        // The cookie is gone, not just the page: the console sends the next visit back to the sign-in page.
        await page.GotoAsync("/workspaces");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task the_account_menu_leads_to_the_account_and_token_pages()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInAsync(user.UserName, user.Password);

        await OpenAccountMenuAsync(page, user);
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "API tokens" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/tokens$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens" })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("/settings/users")]
    [InlineData("/audit")]
    [InlineData("/investigations")]
    [InlineData("/clusters/register")]
    public async Task a_member_who_opens_an_admin_page_reads_that_their_role_does_not_allow_it(string address)
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInAsync(user.UserName, user.Password);

        // Typed into the address bar: the server refuses it before the console runs.
        await page.GotoAsync(address);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("forbidden")).ToContainTextAsync($"Your role does not allow {address}.");
        await Expect(page.GetByTestId("forbidden")).ToContainTextAsync("Ask a platform admin if you need it.");
        Assert.DoesNotContain("\"status\"", await page.ContentAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/$"));
    }

    [Fact]
    public async Task an_address_with_nothing_behind_it_shows_the_consoles_not_found_page()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInAsync(user.UserName, user.Password);

        var response = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("not-found")).ToContainTextAsync("There is nothing at /no-such-page.");
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync(user.UserName);
    }

    [Fact]
    public async Task a_deployment_the_quota_stalls_counts_its_ready_pods_against_the_replicas_it_asked_for()
    {
        var developer = await browser.App.CreateUserAsync();
        var mapId = (await TeamAsync(browser.App, _clusterId, developer, quota: new { cpu = "500m", memory = "1Gi", pods = "10" })).MapId;
        // Three pods of 200m each in a 500m quota: the cluster creates two and refuses the third.
        var workload = await SendAsync(developer.Client, $"/api/v1/service-maps/{mapId}/workloads", new
        {
            name = "web", kind = "Deployment", replicas = 3,
            containers = new[]
            {
                new
                {
                    name = "web", image = "registry.example.com/shop/web:1.0",
                    resources = new { requests = new { cpu = "200m", memory = "64Mi" }, limits = new { cpu = "200m", memory = "128Mi" } },
                },
            },
        });

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workloads/{(string)workload["id"]!}");
        await Expect(page.GetByTestId("workload-rollout-alert")).ToContainTextAsync("exceeded quota", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("workload-ready-pods")).ToHaveTextAsync("2 / 3 (1 pod not created)", Rollout);
    }

    private static async Task OpenAccountMenuAsync(IPage page, TestUser user)
    {
        var menu = page.GetByTestId("signed-in-user");
        await Expect(menu).ToHaveTextAsync(user.UserName);
        await Expect(menu).ToHaveAttributeAsync("aria-label", "Account menu");
        await menu.ClickAsync();
    }
}
