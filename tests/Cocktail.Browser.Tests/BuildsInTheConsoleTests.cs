using System.Net;
using System.Net.Http.Json;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>
/// Image builds in the console: the platform admin chooses the build cluster, a developer defines a build (the form
/// answers bad input field by field), runs it and watches its log live until the real registry has the image and the
/// page shows the digest; a viewer sees the same build but no button that changes anything, and the API refuses them.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class BuildsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // Long enough for the page to show the build running and its log growing (8 steps, one a second), as a real build does.
    private static readonly TimeSpan BuildRunTime = TimeSpan.FromSeconds(8);
    private static readonly LocatorAssertionsToContainTextOptions UntilPushed = new() { Timeout = 60_000 };

    private KubeSimCluster? _sim;
    private Guid _clusterId;

    public async Task InitializeAsync()
    {
        if (browser.Registry is null) return;
        _sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"ui-{Guid.NewGuid():N}"[..12], Nodes = 1, SeedPods = 0, JobRunDuration = BuildRunTime });
        using var admin = await browser.App.AsAdminAsync();
        _clusterId = await Sims.RegisterAsync(admin, _sim);
    }

    public async Task DisposeAsync()
    {
        if (_sim is not null) await Sims.RetireAsync(browser.App, _sim);
    }

    [SkippableFact]
    public async Task a_developer_defines_and_runs_a_build_and_watches_its_log_to_the_digest_and_a_viewer_sees_it_without_a_run_button()
    {
        Skip.If(browser.Registry is null, RegistryServer.MissingReason);
        var developer = await browser.App.CreateUserAsync();
        var viewer = await browser.App.CreateUserAsync();
        using var api = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspaceId = (string)(await ConsoleWorld.SendAsync(api, "/api/v1/workspaces", new { name }))["id"]!;
        await ConsoleWorld.SendAsync(api, $"/api/v1/workspaces/{workspaceId}/members", new { userId = developer.Id, role = "Developer" });
        await ConsoleWorld.SendAsync(api, $"/api/v1/workspaces/{workspaceId}/members", new { userId = viewer.Id, role = "Viewer" });

        // The platform admin chooses the build cluster.
        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await admin.GotoAsync("/platform/builds");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Build settings" })).ToBeVisibleAsync();
        await admin.GetByTestId("build-cluster").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = _sim!.Name }).ClickAsync();
        // The select's list closes with an overlay: a click on Save while it fades lands on the overlay (seen once).
        await Expect(admin.GetByRole(AriaRole.Option, new() { Name = _sim.Name })).ToBeHiddenAsync();
        await Expect(admin.GetByTestId("build-cluster")).ToContainTextAsync(_sim.Name);
        await admin.GetByTestId("build-settings-save").ClickAsync();
        try { await admin.GetByTestId("builds-set-up").WaitForAsync(new() { Timeout = 5_000 }); }
        catch (TimeoutException) { await admin.GetByTestId("build-settings-save").ClickAsync(); } // the person presses Save again
        await Expect(admin.GetByTestId("builds-set-up")).ToContainTextAsync($"Builds run on {_sim.Name}");

        // The developer finds Builds on the workspace page and defines a build; bad input is answered beside its field.
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workspaces/{workspaceId}");
        await page.GetByTestId("workspace-builds").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Builds · {name}" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No build definitions yet")).ToBeVisibleAsync();
        await page.GetByTestId("new-build-definition").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("Web App");
        await dialog.GetByLabel("Git URL").FillAsync("ftp://git.example.com/shop/web.git");
        await dialog.GetByLabel("Repository").FillAsync("web");
        await dialog.GetByTestId("build-create").ClickAsync();
        await Expect(dialog).ToContainTextAsync("The name is a DNS label");
        await Expect(dialog).ToContainTextAsync("The git URL is http(s)://");
        await dialog.GetByLabel("Name").FillAsync("web");
        await dialog.GetByLabel("Git URL").FillAsync("https://git.example.com/shop/web.git");
        await dialog.GetByTestId("build-create").ClickAsync();
        await Expect(dialog).Not.ToBeVisibleAsync();
        var definitions = page.GetByTestId("build-definitions");
        await Expect(definitions).ToContainTextAsync("https://git.example.com/shop/web.git");
        await Expect(definitions).ToContainTextAsync($"{name}/web:{{branch}}-{{buildNumber}}");

        // Run: the run page shows it running with its log growing, then the pushed digest and Succeeded.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run web" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web #1" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("build-image")).ToHaveTextAsync($"{browser.RegistryAddress}/{name}/web:main-1");
        await Expect(page.GetByTestId("build-status")).ToHaveTextAsync("Running", new() { Timeout = 30_000 });
        var log = page.GetByTestId("build-log");
        await Expect(log).ToContainTextAsync("Resolved build context git://git.example.com/shop/web.git#refs/heads/main", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("log-status")).ToContainTextAsync("Following the build's log");
        await Expect(page.GetByTestId("build-cancel")).ToBeVisibleAsync();
        await Expect(log).ToContainTextAsync("Taking snapshot of files...", UntilPushed);
        await Expect(log).ToContainTextAsync($"Pushed {browser.RegistryAddress}/{name}/web@sha256:", UntilPushed);
        await Expect(page.GetByTestId("build-status")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        var digest = (await page.GetByTestId("build-digest").TextContentAsync())!.Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        await Expect(log).ToContainTextAsync($"Pushed {browser.RegistryAddress}/{name}/web@{digest}");
        await Expect(page.GetByTestId("build-rerun")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("build-cancel")).ToHaveCountAsync(0);

        // The registry has the image under the tag, with that digest.
        using (var registry = new HttpClient())
        using (var head = new HttpRequestMessage(HttpMethod.Head, $"http://{browser.RegistryAddress}/v2/{name}/web/manifests/main-1"))
        {
            head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            using var manifest = await registry.SendAsync(head);
            Assert.Equal((HttpStatusCode.OK, digest), (manifest.StatusCode, manifest.Headers.GetValues("Docker-Content-Digest").Single()));
        }

        // The runs list has it, with who ran it and the digest.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to Builds" }).ClickAsync();
        var runs = page.GetByTestId("builds");
        await Expect(runs).ToContainTextAsync("web #1");
        await Expect(runs).ToContainTextAsync("Succeeded");
        await Expect(runs).ToContainTextAsync(developer.UserName);
        await Expect(runs).ToContainTextAsync(digest[..19]);

        // A viewer sees the definition, the run and its log, and no button that would change them; the API refuses them too.
        var viewerPage = await browser.SignedInAsync(viewer.UserName, viewer.Password);
        await viewerPage.GotoAsync($"/workspaces/{workspaceId}/builds");
        await Expect(viewerPage.GetByTestId("build-definitions")).ToContainTextAsync("https://git.example.com/shop/web.git");
        await Expect(viewerPage.GetByTestId("builds")).ToContainTextAsync("web #1");
        await Expect(viewerPage.GetByTestId("run-build")).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByTestId("new-build-definition")).ToHaveCountAsync(0);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "web #1" }).ClickAsync();
        await Expect(viewerPage.GetByTestId("build-status")).ToHaveTextAsync("Succeeded");
        await Expect(viewerPage.GetByTestId("build-log")).ToContainTextAsync($"web@{digest}");
        await Expect(viewerPage.GetByTestId("build-rerun")).ToHaveCountAsync(0);
        var definitionId = (string)(await viewer.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>($"/api/v1/workspaces/{workspaceId}/build-definitions"))![0]!["id"]!;
        var refused = await viewer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
