using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Registries;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Builds;

public sealed class BuildingImagesTests(BuildsApp app) : IClassFixture<BuildsApp>
{
    static object Definition(string name = "web", string tagTemplate = "{branch}-{buildNumber}") => new
    {
        name, gitUrl = "https://git.example.com/shop/web.git", @ref = "main", dockerfile = "docker/Dockerfile", repository = "web", tagTemplate,
        buildArgs = new Dictionary<string, string> { ["VERSION"] = "1" },
    };

    async Task<(Tenancy.Tenancy T, string DefinitionId)> SetUpAsync(int concurrency = 2)
    {
        Skip.IfNot(PlainRegistry.Available, PlainRegistry.MissingReason);
        var t = await Tenancy.Tenancy.CreateAsync(app);
        var settings = await t.Admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId = t.ClusterId, @namespace = "cocktail-builds", concurrencyPerWorkspace = concurrency });
        Assert.True(settings.IsSuccessStatusCode, (await settings.BodyAsync()).ToJsonString());
        var created = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions", Definition());
        var body = await created.BodyAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return (t, (string)body["id"]!);
    }

    static Task<JsonNode> WaitForStatusAsync(HttpClient client, string buildId, string status) =>
        ClusterApp.WaitForAsync(client, $"/api/v1/builds/{buildId}", b => (string?)b["status"] == status, $"build {status}", 30);

    [SkippableFact]
    public async Task a_run_is_a_kaniko_job_that_pushes_to_the_workspace_registry_and_succeeds_with_the_digest_and_its_robot_revoked()
    {
        var (t, definitionId) = await SetUpAsync();
        await using var _ = t;
        var queued = await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { });
        var build = await queued.BodyAsync();
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var buildId = (string)build["id"]!;
        Assert.Equal((1, $"{app.Registry!.Host}/{t.WorkspaceName}/web:main-1"), ((int)build["number"]!, (string)build["image"]!));

        var done = await WaitForStatusAsync(t.Developer.Client, buildId, "Succeeded");
        var digest = (string)done["digest"]!;
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.True((double)done["durationSeconds"]! > 0);

        // The registry has the image under the tag, with the digest Cocktail recorded.
        using var registry = new HttpClient();
        using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{app.Registry.Host}/v2/{t.WorkspaceName}/web/manifests/main-1");
        head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var manifest = await registry.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(digest, manifest.Headers.GetValues("Docker-Content-Digest").Single());

        // The Job ran Kaniko with the definition's source; its push Secret is gone and the robot revoked.
        var job = t.Sim.Objects.Get("batch/v1", "Job", (string)done["jobName"]!, "cocktail-builds")!;
        var container = job["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.StartsWith("gcr.io/kaniko-project/executor", (string)container["image"]!);
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Contains("--context=git://git.example.com/shop/web.git#refs/heads/main", args);
        Assert.Contains("--dockerfile=docker/Dockerfile", args);
        Assert.Contains($"--destination={app.Registry.Host}/{t.WorkspaceName}/web:main-1", args);
        Assert.Contains("--build-arg=VERSION=1", args);
        await Eventually.GetAsync(() => Task.FromResult(t.Sim.Objects.Get("v1", "Secret", (string)done["jobName"]! + "-push", "cocktail-builds")), s => s is null,
            because: "the push Secret is removed when the build ends");
        // The build's push robot is one of the workspace's robot accounts, revoked once the build ended.
        var robots = await Eventually.GetAsync(async () => System.Text.Json.Nodes.JsonNode.Parse(
                await t.Admin.GetStringAsync($"/api/v1/workspaces/{t.WorkspaceId}/robot-accounts")),
            r => (r is System.Text.Json.Nodes.JsonArray a ? a : r?["items"]?.AsArray())?.Any(i => i?["revokedAt"] is not null) == true,
            because: "the build's push robot revoked");
        Assert.NotNull(robots);

        var log = await t.Viewer.Client.GetStringAsync($"/api/v1/builds/{buildId}/log");
        Assert.Contains($"Pushed {app.Registry.Host}/{t.WorkspaceName}/web@{digest}", log);
    }

    [SkippableFact]
    public async Task builds_beyond_the_workspace_limit_wait_in_the_queue_and_start_when_one_ends()
    {
        var (t, definitionId) = await SetUpAsync(concurrency: 1);
        await using var _ = t;
        var first = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { })).BodyAsync())["id"]!;
        var second = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { })).BodyAsync())["id"]!;
        var one = await WaitForStatusAsync(t.Developer.Client, first, "Succeeded");
        var two = await WaitForStatusAsync(t.Developer.Client, second, "Succeeded");
        Assert.True((DateTimeOffset)two["startedAt"]! >= (DateTimeOffset)one["endedAt"]!, $"the second started {two["startedAt"]}, the first ended {one["endedAt"]}");
        Assert.Equal("main-2", (string)two["tag"]!);

        var rerun = await t.Developer.Client.PostAsync($"/api/v1/builds/{first}/rerun", null);
        var again = await rerun.BodyAsync();
        Assert.Equal((HttpStatusCode.Accepted, first, 3), (rerun.StatusCode, (string)again["rerunOf"]!, (int)again["number"]!));
        await WaitForStatusAsync(t.Developer.Client, (string)again["id"]!, "Succeeded");
    }

    [SkippableFact]
    public async Task a_cancelled_build_is_recorded_and_its_job_deleted_and_an_ended_build_cannot_be_cancelled()
    {
        var (t, definitionId) = await SetUpAsync(concurrency: 1);
        await using var _ = t;
        var first = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { })).BodyAsync())["id"]!;
        var second = (string)(await (await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definitionId}/runs", new { })).BodyAsync())["id"]!;
        var viewer = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/builds/{second}/cancel", new { reason = "no" });
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        var cancelled = await t.Developer.Client.PostAsJsonAsync($"/api/v1/builds/{second}/cancel", new { reason = "not needed" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(("Cancelled", "not needed"), ((string)(await cancelled.BodyAsync())["status"]!, (string)(await t.Developer.Client.GetFromJsonAsync<JsonNode>($"/api/v1/builds/{second}"))!["reason"]!));
        await WaitForStatusAsync(t.Developer.Client, first, "Succeeded");
        var again = await t.Developer.Client.PostAsJsonAsync($"/api/v1/builds/{first}/cancel", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [SkippableFact]
    public async Task bad_definitions_get_field_errors_and_nothing_is_created()
    {
        var (t, _) = await SetUpAsync();
        await using var __ = t;
        var bad = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions", new
        {
            name = "bad", gitUrl = "ftp://git.example.com/x.git", dockerfile = "../Dockerfile", repository = "Shop//Web", tagTemplate = "{branch}/x",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.BodyAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("gitUrl") && errors.ContainsKey("dockerfile") && errors.ContainsKey("repository") && errors.ContainsKey("tagTemplate"), errors.ToJsonString());
        var viewer = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions", Definition("viewers"));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        var list = await t.Viewer.Client.GetFromJsonAsync<JsonNode>($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions");
        Assert.Equal(["web"], list!.AsArray().Select(d => (string)d!["name"]!).ToArray());
        var noSha = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions", Definition("sha", "{shortSha}"));
        var shaId = (string)(await noSha.BodyAsync())["id"]!;
        var run = await t.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{shaId}/runs", new { });
        Assert.Equal(HttpStatusCode.BadRequest, run.StatusCode);
        Assert.NotNull((await run.BodyAsync())["errors"]!["commit"]);
    }
}
