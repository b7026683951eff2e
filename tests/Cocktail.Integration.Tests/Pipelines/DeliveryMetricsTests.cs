using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>
/// Delivery metrics and "what is deployed now", from run events appended through Marten with chosen times (the
/// engine that appends them in production is another slice's): two pipelines of one workspace, one of another.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DeliveryMetricsTests(CocktailApp app)
{
    static readonly ActorRef Robot = new(Guid.NewGuid(), "ci");

    /// <summary>Three UTC days ago at midnight: every event is a day or more from today's edge, so a run past midnight changes nothing asserted.</summary>
    static readonly DateTimeOffset D = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-3);

    static DateTimeOffset T(int day, int hour) => D.AddDays(day).AddHours(hour);

    static PipelineDefinition Definition(string name) => new(name, new PipelineSource(PipelineSourceKind.Git, "https://git.example.com/shop/web.git", "main"),
    [
        new PipelineStage("staging", StageKind.Deploy, Targets: [new DeployTarget(Guid.NewGuid(), "web", ["web"])]),
        new PipelineStage("prod", StageKind.Promote, Targets: [new DeployTarget(Guid.NewGuid(), "web", ["web"])], ApprovalBy: WorkspaceRole.WorkspaceAdmin),
    ]);

    sealed record Pipeline(Guid Id, Guid WorkspaceId, string Name);

    sealed record Workspace(string Id, TestUser Member);

    async Task<Workspace> WorkspaceAsync()
    {
        using var admin = await app.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var id = (string)(await (await admin.PostAsJsonAsync("/api/v1/workspaces", new { name, description = "Delivery", color = "#336699" })).BodyAsync())["id"]!;
        var member = await app.CreateUserAsync();
        (await admin.PostAsJsonAsync($"/api/v1/workspaces/{id}/members", new { userId = member.Id, role = "Viewer" })).EnsureSuccessStatusCode();
        return new Workspace(id, member);
    }

    async Task<Pipeline> PipelineAsync(Workspace workspace, string name)
    {
        var pipeline = new Pipeline(Guid.CreateVersion7(), Guid.Parse(workspace.Id), name);
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream(pipeline.Id, new PipelineCreated(pipeline.Id, pipeline.WorkspaceId, "ws", name, Definition(name), Robot, T(-1, 0)));
        await session.SaveChangesAsync();
        return pipeline;
    }

    static string Digest(int run) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new[] { (byte)run }));

    /// <summary>A run queued at <paramref name="queuedAt"/> (its commit's time when known), then its deploys, each in its own transaction as the engine does.</summary>
    async Task<Guid> RunAsync(Pipeline pipeline, int number, DateTimeOffset queuedAt, DateTimeOffset? committedAt, params Func<Guid, RunTrigger, object>[] deploys)
    {
        var runId = Guid.CreateVersion7();
        var trigger = new RunTrigger(TriggerKind.GitPush, "refs/heads/main", $"c{number:D6}0123456789abcdef0123456789abcdef", committedAt);
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(runId, new PipelineRunQueued(runId, pipeline.Id, pipeline.WorkspaceId, pipeline.Name, number, 1, Definition(pipeline.Name), trigger,
                null, null, Robot, queuedAt));
            await session.SaveChangesAsync();
        }
        foreach (var deploy in deploys)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(runId, deploy(runId, trigger));
            await session.SaveChangesAsync();
        }
        return runId;
    }

    static Func<Guid, RunTrigger, object> Deployed(Pipeline p, int number, string stage, DateTimeOffset at, string? approvedBy = null) => (runId, trigger) =>
        new PipelineDeployed(runId, p.Id, p.WorkspaceId, p.Name, number, stage, stage == "prod", new PipelineArtifact($"registry.example.com/shop/{p.Name}", $"v{number}", Digest(number)),
            trigger.Commit, trigger.CommittedAt, approvedBy is null ? null : new ActorRef(Guid.NewGuid(), approvedBy),
            [new DeployedWorkload(Guid.NewGuid(), Guid.NewGuid(), $"shop-{stage}", "web", number + 1, number)], at);

    static Func<Guid, RunTrigger, object> DeployFailed(Pipeline p, DateTimeOffset at) => (runId, _) =>
        new PipelineDeployFailed(runId, p.Id, p.WorkspaceId, "prod", true, "The rollout of web stalled.", true, at);

    /// <summary>
    /// Workspace one: web (runs 1-3) and api (runs 4-5); workspace two: shop (run 6). Lead times 3 h (run 1, commit 07:00,
    /// prod 10:00), 3 h (run 3), 2 h (run 4); run 2's failure restored by run 3 after 20 h; run 5's failure is open.
    /// </summary>
    async Task<(Workspace One, Workspace Two, Pipeline Web, Pipeline Api, Pipeline Shop, Guid Run1, Guid Run3, Guid Run4)> WorldAsync()
    {
        var one = await WorkspaceAsync();
        var two = await WorkspaceAsync();
        var web = await PipelineAsync(one, "web");
        var api = await PipelineAsync(one, "api");
        var shop = await PipelineAsync(two, "shop");
        var run1 = await RunAsync(web, 1, T(0, 8), T(0, 7), Deployed(web, 1, "staging", T(0, 9)), Deployed(web, 1, "prod", T(0, 10), approvedBy: "alice"));
        await RunAsync(web, 2, T(0, 12), null, Deployed(web, 2, "staging", T(0, 12)), DeployFailed(web, T(0, 13)));
        var run3 = await RunAsync(web, 3, T(1, 8), T(1, 6), Deployed(web, 3, "prod", T(1, 9), approvedBy: "bob"));
        var run4 = await RunAsync(api, 4, T(0, 14), T(0, 13), Deployed(api, 4, "prod", T(0, 15)));
        await RunAsync(api, 5, T(1, 10), null, DeployFailed(api, T(1, 11)));
        await RunAsync(shop, 6, T(0, 9), T(0, 8), Deployed(shop, 6, "prod", T(0, 10)));
        return (one, two, web, api, shop, run1, run3, run4);
    }

    static async Task<JsonNode> OkAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    [Fact]
    public async Task the_workspace_delivery_metrics_are_the_four_keys_of_its_production_deploys_only()
    {
        var w = await WorldAsync();

        var metrics = await OkAsync(w.One.Member.Client, $"/api/v1/workspaces/{w.One.Id}/delivery-metrics?days=7");
        var report = metrics["report"]!;

        Assert.Equal((7, 3, 2, 5), ((int)report["days"]!, (int)report["deployments"]!, (int)report["failures"]!, (int)report["attempts"]!));
        Assert.Equal(3d / 7, (double)report["deploymentsPerDay"]!, 6);
        Assert.Equal((3, 10800d, 10800d), ((int)report["leadTimeSamples"]!, (double)report["leadTimeMedianSeconds"]!, (double)report["leadTimeP90Seconds"]!));
        Assert.Equal(0.4, (double)report["changeFailureRate"]!, 6);
        Assert.Equal((1, 1, 72000d), ((int)report["restored"]!, (int)report["openFailures"]!, (double)report["timeToRestoreMedianSeconds"]!));

        var daily = report["daily"]!.AsArray();
        Assert.Equal(7, daily.Count);
        var first = daily.Single(d => (string)d!["day"]! == DateOnly.FromDateTime(D.UtcDateTime).ToString("yyyy-MM-dd"))!;
        // Day one: web run 1 and api run 4 deployed (3 h and 2 h), web run 2 failed and was restored 20 h later.
        Assert.Equal((2, 1, 9000d, 72000d), ((int)first["deployments"]!, (int)first["failures"]!, (double)first["leadTimeMedianSeconds"]!,
            (double)first["restoreMedianSeconds"]!));
        Assert.Equal(1d / 3, (double)first["changeFailureRate"]!, 6);
    }

    [Fact]
    public async Task the_metrics_of_one_pipeline_count_its_deploys_alone_and_a_pipeline_of_another_workspace_is_not_found()
    {
        var w = await WorldAsync();

        var metrics = await OkAsync(w.One.Member.Client, $"/api/v1/workspaces/{w.One.Id}/delivery-metrics?days=7&pipeline={w.Web.Id}");
        var report = metrics["report"]!;
        Assert.Equal(("web", 2, 1), ((string)metrics["pipelineName"]!, (int)report["deployments"]!, (int)report["failures"]!));
        Assert.Equal(1d / 3, (double)report["changeFailureRate"]!, 6);
        Assert.Equal((10800d, 72000d, 0), ((double)report["leadTimeMedianSeconds"]!, (double)report["timeToRestoreMedianSeconds"]!, (int)report["openFailures"]!));

        var foreign = await w.One.Member.Client.GetAsync($"/api/v1/workspaces/{w.One.Id}/delivery-metrics?pipeline={w.Shop.Id}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("No such pipeline.", (string)(await foreign.BodyAsync())["detail"]!);
    }

    [Fact]
    public async Task a_window_without_production_deploys_answers_zero_deploys_and_no_made_up_figures()
    {
        var w = await WorkspaceAsync();

        var report = (await OkAsync(w.Member.Client, $"/api/v1/workspaces/{w.Id}/delivery-metrics"))["report"]!;

        Assert.Equal((30, 0, 0), ((int)report["days"]!, (int)report["attempts"]!, (int)report["deployments"]!));
        Assert.Null(report["changeFailureRate"]);
        Assert.Null(report["leadTimeMedianSeconds"]);
        Assert.Null(report["timeToRestoreMedianSeconds"]);
        Assert.True((bool)report["empty"]!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(366)]
    [InlineData(-5)]
    public async Task a_window_outside_one_to_365_days_is_a_400_on_days(int days)
    {
        var w = await WorkspaceAsync();

        var response = await w.Member.Client.GetAsync($"/api/v1/workspaces/{w.Id}/delivery-metrics?days={days}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.BodyAsync())["errors"]!["days"]);
    }

    [Fact]
    public async Task each_environment_shows_its_latest_deploy_in_stage_order_with_image_commit_run_and_approver()
    {
        var w = await WorldAsync();

        var environments = (await OkAsync(w.One.Member.Client, $"/api/v1/pipelines/{w.Web.Id}/environments")).AsArray();

        Assert.Equal(["staging", "prod"], environments.Select(e => (string)e!["stage"]!));
        var staging = environments[0]!;
        // Run 2 deployed staging after run 1 (its production deploy then failed): staging runs run 2's image.
        Assert.Equal((2, false, Digest(2)), ((int)staging["runNumber"]!, (bool)staging["production"]!, (string)staging["digest"]!));
        var prod = environments[1]!;
        // Run 3 replaced run 1 in production; run 2 never got there.
        Assert.Equal((w.Run3.ToString(), 3, true, "bob"), ((string)prod["runId"]!, (int)prod["runNumber"]!, (bool)prod["production"]!, (string)prod["approvedBy"]!));
        Assert.Equal(($"registry.example.com/shop/web:v3@{Digest(3)}", "v3", "c0000030123456789abcdef0123456789abcdef"),
            ((string)prod["image"]!, (string)prod["tag"]!, (string)prod["commit"]!));
        Assert.Equal(T(1, 9), (DateTimeOffset)prod["deployedAt"]!);
        var workload = prod["workloads"]!.AsArray().Single()!;
        Assert.Equal(("web", "shop-prod", 4), ((string)workload["name"]!, (string)workload["serviceMap"]!, (int)workload["revision"]!));
    }

    [Fact]
    public async Task the_workspace_environments_list_every_pipeline_of_the_workspace_and_nothing_of_another()
    {
        var w = await WorldAsync();

        var environments = (await OkAsync(w.One.Member.Client, $"/api/v1/workspaces/{w.One.Id}/environments")).AsArray();

        Assert.Equal([("api", "prod", 4), ("web", "staging", 2), ("web", "prod", 3)],
            environments.Select(e => ((string)e!["pipelineName"]!, (string)e["stage"]!, (int)e["runNumber"]!)));
        Assert.DoesNotContain(environments, e => (string)e!["pipelineId"]! == w.Shop.Id.ToString());
        Assert.Equal(w.Run4.ToString(), (string)environments[0]!["runId"]!);
    }

    [Fact]
    public async Task a_member_of_another_workspace_gets_404_for_its_environments_and_metrics()
    {
        var w = await WorldAsync();
        var stranger = w.Two.Member.Client;

        foreach (var url in new[]
                 {
                     $"/api/v1/pipelines/{w.Web.Id}/environments", $"/api/v1/workspaces/{w.One.Id}/environments",
                     $"/api/v1/workspaces/{w.One.Id}/delivery-metrics", $"/api/v1/workspaces/{w.One.Id}/delivery-metrics?pipeline={w.Web.Id}",
                 })
        {
            var response = await stranger.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("web", body);
            Assert.DoesNotContain(w.Run1.ToString(), body);
        }
        // Their own pipeline's environments they do read.
        var own = (await OkAsync(stranger, $"/api/v1/pipelines/{w.Shop.Id}/environments")).AsArray();
        Assert.Equal(6, (int)own.Single()!["runNumber"]!);
    }
}
