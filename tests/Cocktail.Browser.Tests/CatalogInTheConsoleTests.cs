using Cocktail.Testing;
using Cocktail.Testing.Charts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>
/// The team catalog in the console: the platform admin adds a chart repository under Settings → Chart repositories
/// (a URL that does not serve an index is answered on the URL field), visible to one workspace; its member searches
/// the workspace's Catalog, opens a chart and reads its README, default values and versions.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class CatalogInTheConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task an_admin_adds_a_repository_for_one_team_and_its_member_browses_a_chart_with_readme_and_values()
    {
        await using var repo = await ChartRepositoryServer.StartAsync(
            new TestChart("podinfo", "6.5.0") { Description = "Podinfo is a tiny web application", Keywords = ["web"], Readme = "# Podinfo\nServes a tiny web page.",
                Values = "replicaCount: 2\nui:\n  color: \"#34577c\"\n" },
            new TestChart("podinfo", "6.4.1") { Description = "Podinfo is a tiny web application" },
            new TestChart("valkey", "1.0.0") { Description = "An in-memory key-value store", Keywords = ["cache"] });
        await using var broken = await ChartRepositoryServer.StartAsync();
        broken.BrokenIndex = true;
        var member = await browser.App.CreateUserAsync();
        using var api = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspaceId = (string)(await ConsoleWorld.SendAsync(api, "/api/v1/workspaces", new { name }))["id"]!;
        await ConsoleWorld.SendAsync(api, $"/api/v1/workspaces/{workspaceId}/members", new { userId = member.Id, role = "Developer" });
        var repository = $"team-{Guid.NewGuid():N}"[..13];

        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await admin.GotoAsync("/settings/chart-repositories");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Chart repositories", Exact = true })).ToBeVisibleAsync();
        await admin.GetByTestId("chart-repo-name").FillAsync(repository);
        await admin.GetByTestId("chart-repo-url").FillAsync(broken.Url);
        await admin.GetByTestId("chart-repo-add").ClickAsync();
        await Expect(admin.GetByTestId("add-chart-repository")).ToContainTextAsync("not a chart repository index");

        await admin.GetByTestId("chart-repo-url").FillAsync(repo.Url);
        await admin.GetByLabel("Visible to every workspace").UncheckAsync();
        await admin.GetByTestId("chart-repo-workspaces").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = name }).ClickAsync();
        await admin.Keyboard.PressAsync("Escape");
        // The list closes (its overlay would take the next click) and keeps the choice.
        await Expect(admin.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
        await admin.GetByTestId("chart-repo-add").ClickAsync();
        var row = admin.GetByTestId("chart-repositories").GetByRole(AriaRole.Row).Filter(new() { HasText = repository });
        await Expect(row).ToContainTextAsync(repo.Url);
        await Expect(row.GetByTestId("chart-repo-visibility")).ToHaveTextAsync(name);
        await Expect(row.GetByTestId("chart-repo-refresh")).ToContainTextAsync("2 charts, 3 versions");

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/workspaces/{workspaceId}/catalog");
        var charts = page.GetByTestId("catalog-charts");
        await Expect(charts).ToContainTextAsync("valkey");
        await page.GetByTestId("catalog-search").FillAsync("web");
        await Expect(charts).Not.ToContainTextAsync("valkey");
        await Expect(charts).ToContainTextAsync("6.5.0");
        await charts.GetByRole(AriaRole.Link, new() { Name = "podinfo" }).ClickAsync();

        await Expect(page.GetByTestId("chart-title")).ToHaveTextAsync("podinfo");
        await Expect(page.GetByTestId("chart-description")).ToHaveTextAsync("Podinfo is a tiny web application");
        await Expect(page.GetByTestId("chart-readme")).ToContainTextAsync("Serves a tiny web page.");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Default values" }).ClickAsync();
        await Expect(page.GetByTestId("chart-values")).ToContainTextAsync("replicaCount: 2");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Versions (2)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Tabpanel)).ToContainTextAsync("6.4.1");
    }
}
