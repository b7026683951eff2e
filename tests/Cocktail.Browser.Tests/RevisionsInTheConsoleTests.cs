using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

/// <summary>Revisions side by side as YAML, and YAML edited in Monaco, checked before it is submitted.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RevisionsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // Monaco (about 3 MB of scripts) loads on the first page that shows an editor; a busy machine takes a while.
    private static readonly LocatorAssertionsToContainTextOptions EditorLoads = new() { Timeout = 30_000 };

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
    public async Task the_history_tab_shows_two_chosen_revisions_side_by_side_with_the_changed_image_on_each_side()
    {
        var developer = await browser.App.CreateUserAsync();
        var (_, workloadId) = await WorkloadAsync(developer, "diffs");
        await PutAsync(developer.Client, $"/api/v1/workloads/{workloadId}", Web("registry.example.com/shop/web:1.1", replicas: 2));
        await PutAsync(developer.Client, $"/api/v1/workloads/{workloadId}", Web("registry.example.com/shop/web:1.1", replicas: 3));

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workloads/{workloadId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        var diff = page.GetByTestId("revision-yaml-diff");
        // By default the current revision against the one before: only the replicas differ.
        await Expect(diff.Locator(".editor.modified .view-lines")).ToContainTextAsync("replicas: 3", EditorLoads);
        await Expect(diff.Locator(".editor.original .view-lines")).ToContainTextAsync("replicas: 2");

        await page.GetByTestId("compare-left").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Revision 1", Exact = true }).ClickAsync();
        await page.GetByTestId("compare-right").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Revision 2", Exact = true }).ClickAsync();

        await Expect(diff.Locator(".editor.original .view-lines")).ToContainTextAsync("image: registry.example.com/shop/web:1.0");
        await Expect(diff.Locator(".editor.modified .view-lines")).ToContainTextAsync("image: registry.example.com/shop/web:1.1");
        // The changed line is marked on both sides.
        await Expect(diff.Locator(".editor.original .line-delete, .editor.original .char-delete").First).ToBeAttachedAsync();
        await Expect(diff.Locator(".editor.modified .line-insert, .editor.modified .char-insert").First).ToBeAttachedAsync();
        Assert.DoesNotContain(browser.ConsoleMessages, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task a_yaml_edit_that_breaks_the_policy_shows_the_error_beside_the_editor_and_is_not_saved()
    {
        var developer = await browser.App.CreateUserAsync();
        var (workspaceId, workloadId) = await WorkloadAsync(developer, "yaml-edit");
        using (var admin = await browser.App.AsAdminAsync())
            (await admin.PutAsJsonAsync($"/api/v1/workspaces/{workspaceId}/policy", new { maxReplicas = 3 })).EnsureSuccessStatusCode();

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workloads/{workloadId}/edit");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit web" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        var editor = page.GetByTestId("workload-yaml-editor");
        await Expect(editor.Locator(".view-lines")).ToContainTextAsync("replicas: 2", EditorLoads);
        // YAML keys are highlighted by Monaco's YAML tokenizer.
        await Expect(editor.Locator(".view-lines span[class*='mtk']").First).ToBeAttachedAsync();

        await EditLineAsync(page, editor, "replicas: 2", "5");
        await page.GetByTestId("save-workload").ClickAsync();

        var errors = page.GetByTestId("yaml-errors");
        await Expect(errors).ToContainTextAsync("The workload breaks the security policy (1 violation(s)).");
        await Expect(errors.GetByTestId("yaml-error")).ToHaveTextAsync(["replicas: 5 replicas; at most 3 are allowed. [maxReplicas]"]);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit web" })).ToBeVisibleAsync();
        var workload = await developer.Client.GetFromJsonAsync<JsonNode>($"/api/v1/workloads/{workloadId}");
        Assert.Equal((1, 2), ((int?)workload!["revision"], (int?)workload["spec"]!["replicas"]));

        await EditLineAsync(page, editor, "replicas: 5", "3");
        await page.GetByTestId("check-yaml").ClickAsync();
        await Expect(page.GetByTestId("yaml-valid")).ToHaveTextAsync("The YAML is a valid workload for this service map.");
        await page.GetByTestId("save-workload").ClickAsync();
        await Expect(page.GetByTestId("workload-replicas")).ToHaveTextAsync("3", new() { Timeout = 20_000 });
    }

    /// <summary>As a person edits: click the line, go to its end, delete the last character, type the new one.</summary>
    private static async Task EditLineAsync(IPage page, ILocator editor, string line, string lastCharacter)
    {
        await editor.Locator(".view-line").Filter(new() { HasText = line }).ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.PressAsync("Backspace");
        await page.Keyboard.TypeAsync(lastCharacter);
        await Expect(editor.Locator(".view-lines")).ToContainTextAsync(line[..^1] + lastCharacter);
    }

    private static object Web(string image, int replicas) => new
    {
        name = "web", kind = "Deployment", replicas,
        containers = new[]
        {
            new { name = "web", image, resources = new { requests = new { cpu = "50m", memory = "32Mi" }, limits = new { cpu = "100m", memory = "64Mi" } } },
        },
    };

    /// <summary>A workspace with the developer, the cluster, a Ready service map and a workload at revision 1, through the API.</summary>
    private async Task<(string WorkspaceId, string WorkloadId)> WorkloadAsync(TestUser developer, string name)
    {
        var team = await TeamAsync(browser.App, _clusterId, developer, mapName: name);
        var (id, mapId) = (team.WorkspaceId, team.MapId);
        var workload = await SendAsync(developer.Client, $"/api/v1/service-maps/{mapId}/workloads", Web("registry.example.com/shop/web:1.0", replicas: 2));
        return (id, (string)workload["id"]!);
    }

    private static async Task PutAsync(HttpClient client, string path, object body)
    {
        var response = await client.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
