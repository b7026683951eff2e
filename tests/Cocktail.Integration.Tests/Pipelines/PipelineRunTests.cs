using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WorkloadsApi = Cocktail.Integration.Tests.Workloads.Workloads;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>Cocktail with the real registry (no scanning: nothing reports pushes), quick probes and rollout passes.</summary>
public sealed class PipelineRunApp : RegistryApp
{
    public PipelineRunApp()
    {
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        WithSetting("Cocktail:ImageGate:InputsCacheTtl", "00:00:01");
    }
}

/// <summary>
/// Runs through the API against KubeSim and the real registry: a tag deployed to dev, promoted to prod after a workspace
/// admin's approval; a rollout that stalls and is rolled back; concurrency (queue, cancel older); cancel and re-run; a
/// deploy the image gate refuses.
/// </summary>
public sealed class PipelineRunTests(PipelineRunApp app) : IClassFixture<PipelineRunApp>
{
    [SkippableFact]
    public async Task a_tag_is_deployed_to_dev_then_promoted_to_prod_once_a_workspace_admin_approves()
    {
        var registry = app.RequireRegistry();
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var prod = await MapWithWebAsync(t, "prod");
        await PushAsync(registry, t, "web", "1.0");
        var pipeline = await CreatePipelineAsync(t, Registry("web"),
            new PipelineStage("dev", StageKind.Deploy, Targets: [new DeployTarget(dev.Id, "web", ["web"], new Dictionary<string, string> { ["STAGE"] = "dev" })]),
            new PipelineStage("prod", StageKind.Promote, Targets: [new DeployTarget(prod.Id, "web", ["web"])], ApprovalBy: WorkspaceRole.WorkspaceAdmin));

        var queued = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{pipeline}/runs", new { tag = "1.0" });
        var run = await queued.BodyAsync();
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Equal(1, (int)run["number"]!);
        var runId = (string)run["id"]!;
        var image = Reference(run);
        Assert.StartsWith($"{registry.Authority}/{t.WorkspaceName}/web:1.0@sha256:", image);

        run = await WaitForRunAsync(t, runId, r => Step(r, "prod")["status"]!.ToString() == "WaitingApproval", "prod waiting for approval");
        Assert.Equal(image, DeploymentImage(t, dev.Namespace));
        Assert.Equal("registry.example.com/shop/web:1.0", DeploymentImage(t, prod.Namespace));
        Assert.Contains("dev", Env(t, dev.Namespace));
        Assert.Contains(Lines(Step(run, "dev")), l => l.Contains("revision 2 is available", StringComparison.Ordinal));

        var inbox = await (await t.WorkspaceAdmin.Client.GetAsync("/api/v1/approvals")).BodyAsync();
        Assert.Contains(inbox.AsArray(), a => (string)a!["runId"]! == runId && (string)a["stage"]! == "prod");
        Assert.DoesNotContain((await (await t.Developer.Client.GetAsync("/api/v1/approvals")).BodyAsync()).AsArray(), a => (string)a!["runId"]! == runId);

        var byDeveloper = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{runId}/stages/prod/approve", new { comment = "mine" });
        Assert.Equal(HttpStatusCode.Forbidden, byDeveloper.StatusCode);
        Assert.Contains($"Approving stage prod needs the WorkspaceAdmin role in workspace {t.WorkspaceName}", (await byDeveloper.BodyAsync()).ToJsonString());

        var approved = await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{runId}/stages/prod/approve", new { comment = "ship it" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        run = await WaitForRunAsync(t, runId, r => (string?)r["status"] == "Succeeded", "the run to succeed");
        Assert.Equal(image, DeploymentImage(t, prod.Namespace));
        var timeline = run["timeline"]!.AsArray().Select(e => (string)e!["text"]!).ToList();
        Assert.Contains($"Stage prod approved by {t.WorkspaceAdmin.UserName}.", timeline);
        Assert.Equal("Run succeeded.", timeline[^1]);
        Assert.Equal(t.WorkspaceAdmin.UserName, (string?)Step(run, "prod")["approvedBy"]);
        Assert.Contains(Lines(Step(run, "prod")), l => l.StartsWith($"Deployed {image} to prod", StringComparison.Ordinal));
        var workload = await (await t.Viewer.Client.GetAsync($"/api/v1/workloads/{prod.Workload}")).BodyAsync();
        Assert.Equal(2, (int)workload["revision"]!);
        Assert.Equal(0, (await (await t.WorkspaceAdmin.Client.GetAsync("/api/v1/approvals")).BodyAsync()).AsArray().Count(a => (string)a!["runId"]! == runId));
    }

    [SkippableFact]
    public async Task a_rollout_that_stalls_fails_the_step_and_puts_the_workload_back_on_its_previous_revision()
    {
        var registry = app.RequireRegistry();
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        await PushAsync(registry, t, "does-not-exist-web", "2.0");
        var pipeline = await CreatePipelineAsync(t, Registry("does-not-exist-web"),
            new PipelineStage("dev", StageKind.Deploy, Targets: [new DeployTarget(dev.Id, "web", ["web"])]));

        var runId = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{pipeline}/runs", new { tag = "2.0" })).BodyAsync())["id"]!;
        var run = await WaitForRunAsync(t, runId, r => (string?)r["status"] == "Failed", "the run to fail", seconds: 90);
        Assert.Contains("stalled", (string)run["reason"]!);
        Assert.Contains("Rolled back: web to revision 1.", (string)run["reason"]!);
        Assert.Contains(run["timeline"]!.AsArray(), e => (string)e!["text"]! == "web rolled back to revision 1.");
        await Eventually.TrueAsync(() => Task.FromResult(DeploymentImage(t, dev.Namespace) == "registry.example.com/shop/web:1.0"),
            TimeSpan.FromSeconds(30), "the cluster back on revision 1's image");
        var workload = await (await t.Viewer.Client.GetAsync($"/api/v1/workloads/{dev.Workload}")).BodyAsync();
        Assert.Equal(3, (int)workload["revision"]!);
        run = await WaitForRunAsync(t, runId, r => Lines(Step(r, "dev")).Any(l => l.Contains("as revision 3", StringComparison.Ordinal)), "the rollback logged");
        Assert.Contains(Lines(Step(run, "dev")), l => l == $"web ({dev.Name}) rolled back to revision 1's spec, as revision 3.");
    }

    [SkippableFact]
    public async Task a_deploy_the_image_gate_refuses_fails_the_step_with_the_findings_and_changes_nothing()
    {
        var registry = app.RequireRegistry();
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var prod = await MapWithWebAsync(t, "prod");
        var digest = await PushAsync(registry, t, "web", "3.0");
        await ImageScanning.ImageGateWorld.SeedCriticalScanAsync(app, digest, registry.Authority, $"{t.WorkspaceName}/web", "3.0", Guid.Parse(t.WorkspaceId));
        var policy = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { images = new { blockCritical = true } });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        // Both maps in one stage: the refusal of one leaves the other unchanged too.
        var pipeline = await CreatePipelineAsync(t, Registry("web"),
            new PipelineStage("all", StageKind.Deploy, Targets: [new DeployTarget(dev.Id, "web", ["web"]), new DeployTarget(prod.Id, "web", ["web"])]));

        var runId = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{pipeline}/runs", new { tag = "3.0" })).BodyAsync())["id"]!;
        var run = await WaitForRunAsync(t, runId, r => (string?)r["status"] == "Failed", "the run to fail");
        var reason = (string)Step(run, "all")["reason"]!;
        Assert.Contains("breaks the security policy", reason);
        Assert.Contains(ImageScanning.ImageGateWorld.Cve, reason);
        foreach (var map in new[] { dev, prod })
        {
            var workload = await (await t.Viewer.Client.GetAsync($"/api/v1/workloads/{map.Workload}")).BodyAsync();
            Assert.Equal(1, (int)workload["revision"]!);
            Assert.Equal("registry.example.com/shop/web:1.0", DeploymentImage(t, map.Namespace));
        }
    }

    [Fact]
    public async Task with_one_run_at_a_time_a_second_run_waits_until_the_first_ends_and_a_rerun_repeats_a_run()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var pipeline = await CreatePipelineAsync(t, Git(), Gated(dev.Id), new PipelineConcurrency(1, WhenBusy.Queue));

        var first = await RunAsync(t, pipeline, new { @ref = "main", commit = "abcdef1" });
        Assert.Equal("Running", (string?)first["status"]);
        var second = await RunAsync(t, pipeline, new { });
        Assert.Equal("Queued", (string?)second["status"]);
        Assert.Equal("main", (string?)second["trigger"]!["ref"]);

        var cancelled = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{first["id"]}/cancel", new { reason = "wrong commit" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("Cancelled", (string?)(await cancelled.BodyAsync())["status"]);
        await WaitForRunAsync(t, (string)second["id"]!, r => (string?)r["status"] == "Running", "the queued run to start");
        var again = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{first["id"]}/cancel", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var rerun = await t.Developer.Client.PostAsync($"/api/v1/pipeline-runs/{first["id"]}/rerun", null);
        var repeated = await rerun.BodyAsync();
        Assert.Equal(HttpStatusCode.Accepted, rerun.StatusCode);
        Assert.Equal((3, "Queued", "Rerun", "#1", "abcdef1", (string)first["id"]!),
            ((int)repeated["number"]!, (string)repeated["status"]!, (string)repeated["trigger"]!["kind"]!, (string)repeated["trigger"]!["detail"]!,
                (string)repeated["trigger"]!["commit"]!, (string)repeated["rerunOf"]!));

        var byViewer = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{second["id"]}/cancel", new { });
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        var page = await (await t.Viewer.Client.GetAsync($"/api/v1/pipelines/{pipeline}/runs")).BodyAsync();
        Assert.Equal([3, 2, 1], page["items"]!.AsArray().Select(r => (int)r!["number"]!));
    }

    [Fact]
    public async Task with_cancel_older_a_new_run_cancels_the_running_one()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var pipeline = await CreatePipelineAsync(t, Git(), Gated(dev.Id), new PipelineConcurrency(1, WhenBusy.CancelOlder));

        var first = await RunAsync(t, pipeline, new { @ref = "main" });
        var second = await RunAsync(t, pipeline, new { @ref = "main" });
        Assert.Equal("Running", (string?)second["status"]);
        var older = await (await t.Viewer.Client.GetAsync($"/api/v1/pipeline-runs/{first["id"]}")).BodyAsync();
        Assert.Equal(("Cancelled", "superseded by run #2"), ((string)older["status"]!, (string)older["reason"]!));
    }

    [Fact]
    public async Task a_rejected_promotion_fails_the_run_and_strangers_see_no_run()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var pipeline = await CreatePipelineAsync(t, Git(), Gated(dev.Id));
        var run = await RunAsync(t, pipeline, new { @ref = "main" });
        var runId = (string)run["id"]!;

        var stranger = await app.CreateUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/v1/pipeline-runs/{runId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{runId}/stages/build/approve", new { })).StatusCode);
        var noReason = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{runId}/stages/build/reject", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);

        var rejected = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipeline-runs/{runId}/stages/build/reject", new { reason = "freeze week" });
        var body = await rejected.BodyAsync();
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(("Failed", "build"), ((string)body["status"]!, (string)body["failedStage"]!));
        Assert.Equal($"Rejected by {t.Developer.UserName}: freeze week", (string)Step(body, "build")["reason"]!);
        var workload = await (await t.Viewer.Client.GetAsync($"/api/v1/workloads/{dev.Workload}")).BodyAsync();
        Assert.Equal(1, (int)workload["revision"]!);
    }

    [Fact]
    public async Task a_manual_run_is_checked_before_anything_is_queued()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = await MapWithWebAsync(t, "dev");
        var git = await CreatePipelineAsync(t, Git("release/*, main"), Gated(dev.Id));
        var registry = await CreatePipelineAsync(t, Registry("web"), Gated(dev.Id));

        await AssertFieldAsync(await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{git}/runs", new { }), "ref");
        await AssertFieldAsync(await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{git}/runs", new { @ref = "main", commit = "XYZ" }), "commit");
        await AssertFieldAsync(await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{registry}/runs", new { }), "tag");
        if (app.Registry is not null)
            await AssertFieldAsync(await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{registry}/runs", new { tag = "never-pushed" }), "tag");
        Assert.Equal(HttpStatusCode.Forbidden, (await t.Viewer.Client.PostAsJsonAsync($"/api/v1/pipelines/{git}/runs", new { @ref = "main" })).StatusCode);
        var runs = await (await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/pipeline-runs")).BodyAsync();
        Assert.Equal(0, (int)runs["total"]!);
    }

    // --- the world ---

    private static PipelineSource Registry(string repository) => new(PipelineSourceKind.Registry, Repository: repository, Tags: "*");

    private static PipelineSource Git(string branches = "main") => new(PipelineSourceKind.Git, GitUrl: "https://git.example.com/shop/web.git", Branches: branches);

    /// <summary>A build stage that waits for a developer's approval, then a deploy: a run stays Running, and nothing is built or deployed until approved.</summary>
    private static PipelineStage[] Gated(Guid map) =>
    [
        new("build", StageKind.Build, BuildDefinition: Guid.NewGuid(), ApprovalBy: WorkspaceRole.Developer),
        new("dev", StageKind.Deploy, Targets: [new DeployTarget(map, "web", ["web"])]),
    ];

    private Task<string> CreatePipelineAsync(Tenancy.Tenancy t, PipelineSource source, params PipelineStage[] stages) =>
        CreatePipelineAsync(t, source, stages, null);

    /// <summary>A pipeline appended through Marten, as the definitions API (another slice) will append it.</summary>
    private async Task<string> CreatePipelineAsync(Tenancy.Tenancy t, PipelineSource source, PipelineStage[] stages, PipelineConcurrency? concurrency)
    {
        var id = Guid.CreateVersion7();
        var definition = new PipelineDefinition("web-" + Guid.NewGuid().ToString("N")[..6], source, stages, Concurrency: concurrency);
        var created = Pipeline.Create(id, Guid.Parse(t.WorkspaceId), t.WorkspaceName, definition,
            new ActorRef(t.WorkspaceAdmin.Id, t.WorkspaceAdmin.UserName), DateTimeOffset.UtcNow);
        Assert.Null(created.Error);
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<Pipeline>(id, created.Events.ToArray());
        await session.SaveChangesAsync();
        return id.ToString();
    }

    private sealed record MapWithWeb(Guid Id, string Name, string Namespace, string Workload);

    /// <summary>A service map named after the environment, with workload web running its first image.</summary>
    private static async Task<MapWithWeb> MapWithWebAsync(Tenancy.Tenancy t, string environment)
    {
        var name = $"{environment}-{Guid.NewGuid():N}"[..12];
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, name);
        var id = (string)map["id"]!;
        var workload = await WorkloadsApi.DeployAsync(t.Developer.Client, id, WorkloadsApi.Web(replicas: 1));
        var workloadId = (string)workload["id"]!;
        await WorkloadsApi.WaitForRolloutAsync(t.Developer.Client, workloadId, "Available");
        return new MapWithWeb(Guid.Parse(id), name, (string)map["namespace"]!, workloadId);
    }

    /// <summary>Pushes an image to the workspace's repository with a robot of its own; the digest.</summary>
    private static async Task<string> PushAsync(RegistryServer registry, Tenancy.Tenancy t, string repository, string tag)
    {
        var team = new RegistryWorkspace(t.WorkspaceId, t.WorkspaceName, t.WorkspaceAdmin, t.Developer, t.Viewer);
        var robot = await RobotAccountTests.CreateRobotAsync(t.WorkspaceAdmin.Client, team, "ci-" + Guid.NewGuid().ToString("N")[..6], "PushPull");
        var image = OciImage.Create($"pipeline {repository}:{tag} {Guid.NewGuid():N}");
        using var client = new Registries.RegistryClient(registry);
        var pushed = await client.PushAsync($"{t.WorkspaceName}/{repository}", tag, robot.UserName, robot.Password, image);
        Assert.True(pushed.Succeeded, pushed.ToString());
        return image.Digest;
    }

    private static async Task<JsonNode> RunAsync(Tenancy.Tenancy t, string pipeline, object body)
    {
        var response = await t.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{pipeline}/runs", body);
        var run = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, run.ToJsonString());
        return run;
    }

    private static Task<JsonNode> WaitForRunAsync(Tenancy.Tenancy t, string runId, Func<JsonNode, bool> until, string because, int seconds = 45) =>
        ClusterApp.WaitForAsync(t.Viewer.Client, $"/api/v1/pipeline-runs/{runId}", until, because, seconds);

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field)
    {
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body.ToJsonString());
        Assert.NotNull(body["errors"]?[field]);
    }

    private static string Reference(JsonNode run)
    {
        var artifact = run["artifact"]!;
        return $"{artifact["repository"]}:{artifact["tag"]}@{artifact["digest"]}";
    }

    private static JsonNode Step(JsonNode run, string stage) => run["steps"]!.AsArray().First(s => (string)s!["name"]! == stage)!;

    private static IReadOnlyList<string> Lines(JsonNode step) => step["log"]!.AsArray().Select(l => (string)l!["text"]!).ToList();

    private static string? DeploymentImage(Tenancy.Tenancy t, string ns) =>
        (string?)t.Sim.Objects.Get("apps/v1", "Deployment", "web", ns)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    private static string Env(Tenancy.Tenancy t, string ns) =>
        t.Sim.Objects.Get("apps/v1", "Deployment", "web", ns)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.ToJsonString() ?? "";
}
