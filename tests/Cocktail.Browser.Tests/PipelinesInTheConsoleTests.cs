using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>
/// Pipelines in the console: a workspace admin defines one in the form (a registry repository deployed to dev, then
/// promoted to prod once a workspace admin approves), runs a tag pushed to the real registry and follows the run live,
/// approves prod from the inbox and sees what prod runs now; a run whose image cannot be pulled fails and its log
/// says the workload was rolled back. The clusters are KubeSim, whose pods pull nothing whose name has
/// <c>does-not-exist</c>.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class PipelinesInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToContainTextOptions UntilRolledOut = new() { Timeout = 40_000 };
    private static readonly LocatorAssertionsToHaveTextOptions UntilEnded = new() { Timeout = 40_000 };

    private KubeSimCluster? _sim;
    private Guid _clusterId;

    public async Task InitializeAsync()
    {
        if (browser.Registry is null || !Skopeo.Available) return;
        _sim = await Sims.StartAsync(nodes: 1, pods: 0);
        using var admin = await browser.App.AsAdminAsync();
        _clusterId = await Sims.RegisterAsync(admin, _sim);
    }

    public async Task DisposeAsync()
    {
        if (_sim is not null) await Sims.RetireAsync(browser.App, _sim);
    }

    [SkippableFact]
    public async Task a_workspace_admin_defines_a_pipeline_in_the_form_and_finds_it_in_the_list_with_its_stages()
    {
        SkipWithoutRegistry();
        var world = await WorldAsync();
        var page = await browser.SignedInAsync(world.Admin.UserName, world.Admin.Password);
        await page.GotoAsync($"/workspaces/{world.WorkspaceId}");
        await page.GetByTestId("workspace-pipelines").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Pipelines · {world.WorkspaceName}" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No pipelines yet")).ToBeVisibleAsync();

        await page.GetByTestId("new-pipeline").ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("web");
        await page.GetByLabel("Repository", new() { Exact = true }).FillAsync("shop/web");
        await page.GetByLabel("Tag filter").FillAsync("v*");
        var stages = page.GetByTestId("stage-row");
        await FillTargetAsync(page, stages.Nth(0), "dev", "web", "web");
        await page.GetByTestId("add-promote-stage").ClickAsync();
        await Expect(stages).ToHaveCountAsync(2);
        await Expect(stages.Nth(1).GetByLabel("Stage name")).ToHaveValueAsync("prod");
        await ChooseAsync(page, stages.Nth(1).GetByTestId("target-service-map"), "prod");
        await stages.Nth(1).GetByLabel("Containers").FillAsync("web");
        await ChooseAsync(page, stages.Nth(1).GetByTestId("stage-approval"), "WorkspaceAdmin");

        // The prod target names no workload: refused, and the message is on that stage's row, beside the field.
        await page.GetByTestId("pipeline-save").ClickAsync();
        await Expect(stages.Nth(1)).ToContainTextAsync("The workload's name has");
        await Expect(stages.Nth(0)).Not.ToContainTextAsync("The workload's name has");
        await stages.Nth(1).GetByLabel("Workload").FillAsync("web");
        await page.GetByTestId("pipeline-save").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No runs yet")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Definition" }).ClickAsync();
        await Expect(page.GetByTestId("pipeline-yaml")).ToContainTextAsync("shop/web");

        await page.GetByTestId("breadcrumbs").GetByRole(AriaRole.Link, new() { Name = "Pipelines" }).ClickAsync();
        var list = page.GetByTestId("pipelines");
        await Expect(list).ToContainTextAsync("web");
        await Expect(list).ToContainTextAsync("shop/web");
        await Expect(list).ToContainTextAsync("never run");
        await Expect(list.GetByTestId("stage-chip")).ToHaveTextAsync(["dev", "prod"]);
    }

    [SkippableFact]
    public async Task a_run_of_a_tag_deploys_dev_waits_for_approval_in_the_inbox_and_once_approved_prod_runs_the_image()
    {
        SkipWithoutRegistry();
        var world = await WorldAsync();
        var digest = await PushAsync(world, "shop/web", "v1");
        var pipelineId = await PipelineAsync(world, "web", "shop/web", promoteWithApproval: true);

        var page = await browser.SignedInAsync(world.Admin.UserName, world.Admin.Password);
        await page.GotoAsync($"/pipelines/{pipelineId}");
        await page.GetByTestId("pipeline-run").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Tag").FillAsync("v1");
        await dialog.GetByTestId("run-start").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web #1" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-trigger")).ToContainTextAsync("v1");
        await Expect(page.GetByTestId("step-dev").GetByTestId("step-status")).ToHaveTextAsync("Succeeded", UntilEnded);
        await Expect(page.GetByTestId("step-prod").GetByTestId("step-status")).ToHaveTextAsync("Waiting for approval");
        await Expect(page.GetByTestId("run-image")).ToContainTextAsync(digest);
        await Expect(page.GetByTestId("run-timeline")).ToContainTextAsync("Stage prod waits for approval by a WorkspaceAdmin.");

        // The inbox lists it; approving it there lets prod start.
        await page.GetByTestId("nav-approvals").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Approvals" })).ToBeVisibleAsync();
        var inbox = page.GetByTestId("approvals");
        await Expect(inbox).ToContainTextAsync("web");
        await Expect(inbox).ToContainTextAsync("#1");
        await Expect(inbox).ToContainTextAsync("prod");
        await Expect(inbox).ToContainTextAsync(digest[..19]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve prod of web #1" }).ClickAsync();
        await Expect(page.GetByText("Nothing waits for your approval")).ToBeVisibleAsync();

        await page.GotoAsync($"/pipelines/{pipelineId}");
        await page.GetByTestId("pipeline-runs").GetByRole(AriaRole.Link, new() { Name = "#1" }).ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveTextAsync("Succeeded", UntilEnded);
        await Expect(page.GetByTestId("step-prod").GetByTestId("step-status")).ToHaveTextAsync("Succeeded");
        await Expect(page.GetByTestId("run-steps")).ToContainTextAsync($"Approved by {world.Admin.UserName}");

        // What prod runs now: the tag's image, and who let it through.
        await page.GotoAsync($"/pipelines/{pipelineId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Environments" }).ClickAsync();
        var environments = page.GetByTestId("environments");
        await Expect(environments).ToContainTextAsync("prod", UntilRolledOut);
        await Expect(environments).ToContainTextAsync(digest[..19]);
        await Expect(environments).ToContainTextAsync(world.Admin.UserName);
    }

    [SkippableFact]
    public async Task a_run_whose_image_cannot_be_pulled_fails_and_its_step_log_says_the_workload_was_rolled_back()
    {
        SkipWithoutRegistry();
        var world = await WorldAsync();
        await PushAsync(world, "does-not-exist/web", "v1");
        var pipelineId = await PipelineAsync(world, "broken", "does-not-exist/web", promoteWithApproval: false);

        var page = await browser.SignedInAsync(world.Admin.UserName, world.Admin.Password);
        await page.GotoAsync($"/pipelines/{pipelineId}");
        await page.GetByTestId("pipeline-run").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByLabel("Tag").FillAsync("v1");
        await page.GetByRole(AriaRole.Dialog).GetByTestId("run-start").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "broken #1" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveTextAsync("Failed", UntilEnded);
        await Expect(page.GetByTestId("run-reason")).ToContainTextAsync("Failed at dev");
        var dev = page.GetByTestId("run-step").Filter(new() { Has = page.GetByTestId("step-dev") });
        await Expect(dev.GetByTestId("step-status")).ToHaveTextAsync("Failed");
        await Expect(dev.GetByTestId("step-reason")).ToContainTextAsync(new Regex("The rollout of web \\(dev\\) revision 2 stalled: (ErrImagePull|ImagePullBackOff)"));
        await Expect(dev.GetByTestId("step-log")).ToContainTextAsync("Rolling web back from revision 2 to revision 1", UntilRolledOut);
        await Expect(page.GetByTestId("run-timeline")).ToContainTextAsync("web rolled back to revision 1.");
        await Expect(page.GetByTestId("run-rerun")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-cancel")).ToHaveCountAsync(0);
    }

    private sealed record World(TestUser Admin, string WorkspaceId, string WorkspaceName, string DevMapId, string ProdMapId);

    private void SkipWithoutRegistry()
    {
        Skip.If(browser.Registry is null, RegistryServer.MissingReason);
        Skip.If(!Skopeo.Available, Skopeo.MissingReason);
    }

    /// <summary>A workspace whose admin is signed in later, with service maps dev and prod, each running a Deployment "web".</summary>
    private async Task<World> WorldAsync()
    {
        var wsAdmin = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, wsAdmin, role: "WorkspaceAdmin", mapName: "dev");
        using var admin = await browser.App.AsAdminAsync();
        var prod = await ConsoleWorld.SendAsync(admin, $"/api/v1/workspaces/{team.WorkspaceId}/service-maps",
            new { name = "prod", clusterId = _clusterId, quota = new { cpu = "1", memory = "1Gi", pods = "5" } });
        var prodId = (string)prod["id"]!;
        await Eventually.GetAsync(async () => await admin.GetFromJsonAsync<JsonNode>($"/api/v1/service-maps/{prodId}"),
            m => (string?)m?["status"] == "Ready", because: "the prod service map to be Ready");
        foreach (var map in new[] { team.MapId, prodId })
            await ConsoleWorld.SendAsync(admin, $"/api/v1/service-maps/{map}/workloads", new
            {
                name = "web", kind = "Deployment", replicas = 1,
                containers = new[]
                {
                    new
                    {
                        name = "web", image = "registry.example.com/shop/web:1.0",
                        resources = new { requests = new { cpu = "50m", memory = "64Mi" }, limits = new { cpu = "100m", memory = "128Mi" } },
                    },
                },
            });
        return new World(wsAdmin, team.WorkspaceId, team.WorkspaceName, team.MapId, prodId);
    }

    /// <summary>
    /// Pushes an image to the real registry with skopeo, and tells Cocktail as the registry's notification would (the
    /// suite's registry sends none): the digest is the pushed manifest's.
    /// </summary>
    private async Task<string> PushAsync(World world, string repository, string tag)
    {
        var path = $"{world.WorkspaceName}/{repository}";
        var image = OciImage.Create($"{path}:{tag} {Guid.NewGuid():N}");
        var layout = Directory.CreateTempSubdirectory("cocktail-oci-").FullName;
        try
        {
            var pushed = await Skopeo.PushAsync(image.WriteLayout(Path.Combine(layout, "image"), tag), browser.Registry!.Reference(path, tag), null, null);
            Assert.True(pushed.Succeeded, pushed.ToString());
        }
        finally { Directory.Delete(layout, recursive: true); }

        using var client = browser.App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BrowserFixture.RegistryNotificationSecret);
        var push = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(), ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"), ["action"] = "push",
            ["target"] = new JsonObject
            {
                ["mediaType"] = OciImage.ManifestMediaType, ["size"] = image.Manifest.Size, ["digest"] = image.Digest, ["length"] = image.Manifest.Size,
                ["repository"] = path, ["tag"] = tag,
            },
            ["request"] = new JsonObject { ["addr"] = "127.0.0.1:5000", ["method"] = "PUT", ["useragent"] = "skopeo" },
            ["actor"] = new JsonObject { ["name"] = "robot$ci" },
        };
        var response = await client.PostAsync("/api/v1/registry/notifications",
            new StringContent(new JsonObject { ["events"] = new JsonArray(push) }.ToJsonString(), Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return image.Digest;
    }

    /// <summary>A registry pipeline through the API: deploy dev, then (when asked) promote prod once a WorkspaceAdmin approves.</summary>
    private async Task<string> PipelineAsync(World world, string name, string repository, bool promoteWithApproval)
    {
        var stages = new JsonArray(Deploy("dev", "Deploy", world.DevMapId));
        if (promoteWithApproval)
        {
            var prod = Deploy("prod", "Promote", world.ProdMapId);
            prod["approvalBy"] = "WorkspaceAdmin";
            prod["production"] = true;
            stages.Add(prod);
        }
        var definition = new JsonObject
        {
            ["name"] = name, ["source"] = new JsonObject { ["kind"] = "Registry", ["repository"] = repository, ["tags"] = "v*" }, ["stages"] = stages,
        };
        var created = await ConsoleWorld.SendAsync(world.Admin.Client, $"/api/v1/workspaces/{world.WorkspaceId}/pipelines", new { definition });
        return (string)created["id"]!;

        static JsonObject Deploy(string stage, string kind, string mapId) => new()
        {
            ["name"] = stage, ["kind"] = kind, ["timeoutMinutes"] = 2,
            ["targets"] = new JsonArray(new JsonObject { ["serviceMap"] = mapId, ["workload"] = "web", ["containers"] = new JsonArray("web") }),
        };
    }

    private static async Task FillTargetAsync(IPage page, ILocator stage, string map, string workload, string containers)
    {
        await ChooseAsync(page, stage.GetByTestId("target-service-map"), map);
        await stage.GetByLabel("Workload").FillAsync(workload);
        await stage.GetByLabel("Containers").FillAsync(containers);
    }

    /// <summary>Opens a select and picks an option, waiting for its list to close (a click while it fades lands on the overlay).</summary>
    private static async Task ChooseAsync(IPage page, ILocator select, string option)
    {
        await select.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true })).ToBeHiddenAsync();
        await Expect(select).ToHaveValueAsync(option);
    }
}
