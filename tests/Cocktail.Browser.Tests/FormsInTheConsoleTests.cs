using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>Forms and access dialogs: presets, confirmations that say where, no false alarms, no input lost by a stray click.</summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class FormsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
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
    public async Task a_preset_picks_8_hours_the_confirmation_names_the_namespace_and_a_fresh_short_grant_is_not_flagged_as_ending()
    {
        var lead = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, lead, "WorkspaceAdmin");
        var colleague = await browser.App.CreateUserAsync();
        using (var admin = await browser.App.AsAdminAsync())
            await ConsoleWorld.SendAsync(admin, $"/api/v1/workspaces/{team.WorkspaceId}/members", new { userId = colleague.Id, role = "Developer" });

        // In Tokyo (UTC+9 all year): the dates are typed and confirmed in the reader's zone, and the labels say which.
        var page = await browser.SignedInAsync(lead.UserName, lead.Password, Tokyo);
        await page.GotoAsync("/access/grants");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Autocomplete.ChooseAsync(page, dialog.GetByLabel("User", new() { Exact = true }), colleague.UserName);
        await Autocomplete.ChooseAsync(page, dialog.GetByLabel("Cluster", new() { Exact = true }), _sim.Name);
        await dialog.GetByTestId("access-service-map").ClickAsync();
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = team.MapName }).ClickAsync();
        var presets = dialog.GetByTestId("duration-presets");
        var from = DateTimeOffset.UtcNow;
        await presets.GetByRole(AriaRole.Button, new() { Name = "1 d" }).ClickAsync();
        await Expect(dialog.GetByLabel("Valid until (Asia/Tokyo)")).ToHaveValueAsync(Around(from.AddDays(1)));
        await presets.GetByRole(AriaRole.Button, new() { Name = "8 h" }).ClickAsync();
        await Expect(dialog.GetByLabel("Valid until (Asia/Tokyo)")).ToHaveValueAsync(Around(from.AddHours(8)));
        await Expect(presets.GetByRole(AriaRole.Button, new() { Name = "8 h" })).ToHaveAttributeAsync("aria-pressed", "true");
        await dialog.GetByLabel("Reason").FillAsync("Pairing on the release");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Grant", Exact = true }).ClickAsync();

        await Expect(page.GetByText(new System.Text.RegularExpressions.Regex(
            $@"{colleague.UserName} has view access to {_sim.Name} in namespace {team.Namespace} until \d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}} \+09\."))).ToBeVisibleAsync();

        // A grant of a few hours is not "ending soon" the moment it is made (the warning window is a day).
        var mine = await browser.SignedInAsync(colleague.UserName, colleague.Password);
        await mine.GotoAsync("/access");
        var row = mine.GetByTestId("my-grants").Locator("tr").Filter(new() { HasText = _sim.Name });
        await Expect(row).ToContainTextAsync(team.Namespace);
        await Expect(row.GetByTestId("grant-ends-soon")).ToHaveCountAsync(0);
        await Expect(mine.GetByTestId("grants-ending-soon")).ToHaveCountAsync(0);

        await mine.GetByRole(AriaRole.Button, new() { Name = "Request access" }).ClickAsync();
        var request = mine.GetByRole(AriaRole.Dialog);
        await request.GetByTestId("duration-presets").GetByRole(AriaRole.Button, new() { Name = "7 d" }).ClickAsync();
        await Expect(request.GetByLabel("Duration (hours)")).ToHaveValueAsync("168");
        await request.GetByTestId("duration-presets").GetByRole(AriaRole.Button, new() { Name = "8 h" }).ClickAsync();
        await Expect(request.GetByLabel("Duration (hours)")).ToHaveValueAsync("8");
    }

    [Fact]
    public async Task leaving_a_half_filled_form_asks_first_and_staying_keeps_what_was_typed()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/clusters/register");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("half-typed");

        await page.GetByRole(AriaRole.Link, new() { Name = "Workspaces", Exact = true }).ClickAsync();
        var question = page.GetByRole(AriaRole.Dialog);
        await Expect(question).ToContainTextAsync("Leave without saving?");
        await Expect(question).ToContainTextAsync("What you typed here is not saved yet.");
        await question.GetByRole(AriaRole.Button, new() { Name = "Stay" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/clusters/register$"));
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("half-typed");

        await page.GetByRole(AriaRole.Link, new() { Name = "Workspaces", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Workspaces" })).ToBeVisibleAsync();

        // An untouched form lets you go without asking.
        await page.GotoAsync("/clusters/register");
        await page.GetByRole(AriaRole.Link, new() { Name = "Workspaces", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Workspaces" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_form_dialog_shows_one_error_per_field_keeps_its_input_through_a_stray_click_or_escape_and_its_placeholders_read_as_examples()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/workspaces");
        await page.GetByRole(AriaRole.Button, new() { Name = "New workspace" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByLabel("Color")).ToHaveAttributeAsync("placeholder", "e.g. #336699");
        await dialog.GetByLabel("Color").FillAsync("blue");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        // An empty name breaks two rules (required, and the DNS label rule): the field says only the first.
        var errors = dialog.Locator(".mud-input-helper-text.mud-input-error");
        await Expect(errors).ToHaveCountAsync(2);
        await Expect(errors.Nth(0)).ToHaveTextAsync("Name the workspace.");
        await Expect(errors.Nth(1)).ToHaveTextAsync("Colors are #rrggbb.");
        await Expect(dialog).Not.ToContainTextAsync("Workspace names use");

        // A click beside the dialog and the Escape key leave it open with what was typed; Cancel closes it.
        await page.Mouse.ClickAsync(5, 5);
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Color")).ToHaveValueAsync("blue");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // Placeholders are examples ("e.g. …"), never text that could pass for a value already filled in.
        await page.GotoAsync("/clusters/register");
        await page.GetByText("Server URL and token or certificate").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Server URL" })).ToHaveAttributeAsync("placeholder", "e.g. https://10.0.0.1:6443");
        var placeholders = await page.Locator("input[placeholder], textarea[placeholder]").EvaluateAllAsync<string[]>("els => els.map(e => e.placeholder)");
        Assert.NotEmpty(placeholders);
        // The form's own fields give examples; the top bar's search box describes itself ("Search clusters, …").
        Assert.Contains(placeholders, p => p.StartsWith("e.g. ", StringComparison.Ordinal));
        Assert.All(placeholders, p => Assert.Matches("^(e\\.g\\. |Search )", p));
        await page.GotoAsync("/clusters");
        await Expect(page.GetByLabel("Label", new() { Exact = true })).ToHaveAttributeAsync("placeholder", "e.g. env=prod");
    }

    [Fact]
    public async Task a_service_map_s_default_limits_count_as_limits_for_the_limits_required_policy()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, developer, "Developer", defaultLimits: new { cpu = "200m", memory = "128Mi" });
        using (var admin = await browser.App.AsAdminAsync())
        {
            var policy = await admin.PutAsync($"/api/v1/workspaces/{team.WorkspaceId}/policy",
                System.Net.Http.Json.JsonContent.Create(new { requireLimits = true }));
            policy.EnsureSuccessStatusCode();
        }
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/service-maps/{team.MapId}/deploy");
        await Expect(page.GetByTestId("policy-summary")).ToContainTextAsync("a service map's default limits count", new() { Timeout = 20_000 });
        await page.GetByLabel("Workload name").FillAsync("nolimits");
        await page.GetByLabel("Container name").FillAsync("web");
        await page.GetByLabel("Image").FillAsync("registry.example.com/shop/web:1.0");
        await page.GetByTestId("deploy-workload").ClickAsync();

        // Cocktail lets it through, and so does the cluster: LimitRanger gives the pods the defaults before the policy looks.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "nolimits" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("workload-rollout").First).ToContainTextAsync("Available", new() { Timeout = 30_000 });
    }

    /// <summary>The minute the preset gives, or the next one when the clock turned between the test and the click.</summary>
    private static System.Text.RegularExpressions.Regex Around(DateTimeOffset at) => new($"^({Minutes(at)}|{Minutes(at.AddMinutes(1))})$");

    private static string Minutes(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private const string Tokyo = "Asia/Tokyo";
}
