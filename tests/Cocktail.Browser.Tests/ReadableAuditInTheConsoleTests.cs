using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

/// <summary>The audit trail and the investigations as a person reads them: sentences with names, a type picker, named fields and diffs.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReadableAuditInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
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
    public async Task a_revoked_grant_reads_as_a_sentence_naming_the_admin_the_user_the_role_and_the_cluster()
    {
        var dana = await browser.App.CreateUserAsync();
        using (var admin = await browser.App.AsAdminAsync())
        {
            var grant = await SendAsync(admin, "/api/v1/access-grants", new
            {
                userId = dana.Id, clusterId = _clusterId, scope = "Cluster", role = "edit", validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "on call",
            });
            await SendAsync(admin, $"/api/v1/access-grants/{(string)grant["grant"]!["id"]!}/revoke", new { reason = "left the team" });
        }

        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        var sentence = $"admin revoked {dana.UserName}'s edit on {_sim.Name}: left the team";
        var row = page.GetByTestId("audit-table").Locator("tr").Filter(new() { HasText = sentence });

        await Expect(row.GetByTestId("audit-summary")).ToHaveTextAsync(sentence);
        await Expect(row.GetByTestId("audit-object-kind")).ToHaveTextAsync("access grant");
        await Expect(row.GetByTestId("audit-object-name")).ToHaveTextAsync($"{dana.UserName}'s edit on {_sim.Name}");
        await Expect(page.GetByTestId("audit-table").Locator("tr").Filter(new() { HasText = $"admin granted {dana.UserName} edit on {_sim.Name}" }))
            .ToHaveCountAsync(1);
        // The time is a local time with the UTC instant on hover.
        await Expect(row.Locator("time").First).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$"));

        await row.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("audit-entry-summary")).ToHaveTextAsync(sentence);
        await Expect(dialog.GetByTestId("audit-fields")).ToContainTextAsync("left the team");
    }

    [Fact]
    public async Task the_event_type_picker_offers_the_known_types_as_they_are_typed_and_filters_the_trail()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/audit");
        var picker = page.GetByLabel("Event type");

        await picker.ClickAsync();
        await picker.PressSequentiallyAsync("Revoked");
        var options = page.GetByRole(AriaRole.Option);
        await Expect(options.Filter(new() { HasText = "AccessGrantRevoked" })).ToHaveCountAsync(1);
        await Expect(options.Filter(new() { HasText = "ApiTokenRevoked" })).ToHaveCountAsync(1);
        await Expect(options.Filter(new() { HasText = "UserRegistered" })).ToHaveCountAsync(0);

        await picker.FillAsync("");
        await Autocomplete.ChooseAsync(page, picker, "ApiTokenCreated");
        var types = page.GetByTestId("audit-table").GetByTestId("audit-type");
        await Expect(types.First).ToHaveTextAsync("ApiTokenCreated");
        Assert.All(await types.AllTextContentsAsync(), t => Assert.Equal("ApiTokenCreated", t.Trim()));
    }

    [Fact]
    public async Task time_travel_shows_the_state_as_named_fields_and_a_changed_field_between_two_versions()
    {
        var user = await browser.App.CreateUserAsync();
        using (var admin = await browser.App.AsAdminAsync())
            (await admin.PatchAsync($"/api/v1/users/{user.Id}", JsonContent.Create(new { role = "Auditor" }))).EnsureSuccessStatusCode();

        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/audit/streams/{user.Id}?version=1");
        var state = page.GetByTestId("stream-state");
        await Expect(state.Locator("tr").Filter(new() { HasText = "userName" })).ToContainTextAsync(user.UserName);
        await Expect(state.Locator("tr").Filter(new() { HasText = "role" }).GetByTestId("state-value")).ToHaveTextAsync("User");
        await Expect(page.GetByText($"admin registered {user.UserName}")).ToBeVisibleAsync();

        await page.GotoAsync($"/audit/streams/{user.Id}");
        await Expect(page.GetByTestId("state-at")).ToContainTextAsync("after version 2 of 2");
        await page.GetByTestId("diff-compare").ClickAsync();
        var role = page.GetByTestId("diff-row").Filter(new() { HasText = "role" });
        await Expect(role).ToHaveCountAsync(1);
        await Expect(role.Locator("td")).ToHaveTextAsync(["role", "changed", "User", "Auditor"]);
        await Expect(page.GetByText($"admin changed {user.UserName}'s role from User to Auditor")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task who_could_access_lists_the_platform_admin_as_reaching_every_cluster()
    {
        var auditor = await browser.App.CreateUserAsync(role: "Auditor");
        var page = await browser.SignedInAsync(auditor.UserName, auditor.Password);
        await page.GotoAsync("/investigations");
        await Autocomplete.ChooseAsync(page, page.GetByLabel("Cluster", new() { Exact = true }), _sim.Name);
        await page.GetByTestId("who-ask").ClickAsync();

        var admins = page.GetByTestId("admins-table").Locator("tbody tr").Filter(new() { HasText = CocktailApp.AdminUserName });
        await Expect(admins.GetByTestId("admin-user")).ToHaveTextAsync(CocktailApp.AdminUserName);
        await Expect(admins.GetByTestId("admin-source")).ToHaveTextAsync("platform admin: every cluster");
    }
}
