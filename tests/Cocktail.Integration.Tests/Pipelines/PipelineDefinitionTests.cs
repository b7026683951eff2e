using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>Defining pipelines through the API: JSON and YAML, versions, the workspace's limits, who may, and the webhook secret.</summary>
[Collection(TenancyCollection.Name)]
public sealed class PipelineDefinitionTests(TenancyApp app)
{
    sealed record Team(Tenancy.Tenancy T, string Dev, string Prod, string Build) : IAsyncDisposable
    {
        public HttpClient Developer => T.Developer.Client;
        public string Pipelines => $"/api/v1/workspaces/{T.WorkspaceId}/pipelines";
        public ValueTask DisposeAsync() => T.DisposeAsync();
    }

    async Task<Team> TeamAsync()
    {
        var t = await Tenancy.Tenancy.CreateAsync(app);
        var dev = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "dev"))["id"]!;
        var prod = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "prod"))["id"]!;
        var build = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions",
            new { name = "api", gitUrl = "https://git.example.com/shop/api.git", repository = "api" });
        Assert.True(build.StatusCode == HttpStatusCode.Created, await build.Content.ReadAsStringAsync());
        return new Team(t, dev, prod, (string)(await build.BodyAsync())["id"]!);
    }

    static object Definition(Team team, string name = "shop", string? devMap = null, string? schedule = null, string? gitPush = null) => new
    {
        name, description = "Build, deploy to dev, promote to prod",
        source = new { kind = "Git", gitUrl = "https://git.example.com/shop/api.git", branches = "main, release/*" },
        stages = new object[]
        {
            new { name = "build", kind = "Build", buildDefinition = team.Build },
            new { name = "dev", kind = "Deploy", targets = new[] { new { serviceMap = devMap ?? team.Dev, workload = "api", containers = new[] { "api" } } } },
            new
            {
                name = "prod", kind = "Promote", approvalBy = "WorkspaceAdmin", production = true, timeoutMinutes = 30,
                targets = new[] { new { serviceMap = team.Prod, workload = "api", containers = new[] { "api" } } },
            },
        },
        triggers = new { gitPush, schedule },
        concurrency = new { maxRuns = 2, whenBusy = "CancelOlder" },
    };

    const string Yaml = """
        name: shop
        source:
          kind: Git
          gitUrl: https://git.example.com/shop/api.git
          branches: main
        stages:
        - name: build
          kind: Build
          buildDefinition: api
        - name: dev
          kind: Deploy
          targets:
          - serviceMap: dev
            workload: api
            containers: [api]
            env:
              LOG_LEVEL: debug
        - name: prod
          kind: Promote
          after: [dev]
          approvalBy: WorkspaceAdmin
          targets:
          - serviceMap: prod
            workload: api
            containers: [api]
            replicas: 3
        triggers:
          schedule: 0 3 * * 1-5
        """;

    static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }

    static string[] Fields(JsonNode problem) => problem["errors"]?.AsObject().Select(e => e.Key).ToArray() ?? [];

    [Fact]
    public async Task a_pipeline_made_from_json_and_changed_has_two_versions_each_with_before_after_who_and_why()
    {
        await using var team = await TeamAsync();
        var (status, created) = await SendAsync(team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) }));
        Assert.True(status == HttpStatusCode.Created, created.ToJsonString());
        var id = (string)created["id"]!;
        Assert.Equal(("shop", 1, false), ((string)created["name"]!, (int)created["version"]!, (bool)created["hasWebhookSecret"]!));
        Assert.Equal(team.Dev, (string)created["definition"]!["stages"]![1]!["targets"]![0]!["serviceMap"]!);
        Assert.Null(created["webhook"]);

        var changed = Definition(team, devMap: team.Prod);
        var (putStatus, put) = await SendAsync(team.Developer.PutAsJsonAsync($"/api/v1/pipelines/{id}", new { definition = changed, reason = "dev moves", expectedVersion = 1 }));
        Assert.True(putStatus == HttpStatusCode.OK, put.ToJsonString());
        Assert.Equal(2, (int)put["version"]!);

        var versions = (await team.T.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/pipelines/{id}/versions"))!;
        Assert.Equal([1, 2], versions.Select(v => (int)v!["version"]!).ToArray());
        Assert.Null(versions[0]!["before"]);
        Assert.Equal((team.Dev, team.Prod), ((string)versions[1]!["before"]!["stages"]![1]!["targets"]![0]!["serviceMap"]!,
            (string)versions[1]!["after"]!["stages"]![1]!["targets"]![0]!["serviceMap"]!));
        Assert.Equal(("dev moves", team.T.Developer.UserName), ((string)versions[1]!["reason"]!, (string)versions[1]!["by"]!));

        // An edit of version 1 after version 2 exists is stale: 409, nothing appended.
        var (stale, _) = await SendAsync(team.Developer.PutAsJsonAsync($"/api/v1/pipelines/{id}", new { definition = Definition(team), expectedVersion = 1 }));
        Assert.Equal(HttpStatusCode.Conflict, stale);
        var list = (await team.T.Viewer.Client.GetFromJsonAsync<JsonNode>(team.Pipelines))!;
        var item = list["items"]!.AsArray().Single()!;
        Assert.Equal(("shop", 2, 1L), ((string)item["name"]!, (int)item["version"]!, (long)list["total"]!));
        Assert.Equal(["build", "dev", "prod"], item["stages"]!.AsArray().Select(s => (string)s!["name"]!).ToArray());
        Assert.Null(item["lastRun"]);
    }

    [Fact]
    public async Task a_pipeline_made_from_yaml_names_its_service_maps_and_build_definitions_and_its_yaml_round_trips_without_a_new_version()
    {
        await using var team = await TeamAsync();
        var (status, created) = await SendAsync(team.Developer.PostAsJsonAsync(team.Pipelines, new { yaml = Yaml }));
        Assert.True(status == HttpStatusCode.Created, created.ToJsonString());
        var id = (string)created["id"]!;
        var stages = created["definition"]!["stages"]!.AsArray();
        Assert.Equal((team.Build, team.Dev, team.Prod, 3), ((string)stages[0]!["buildDefinition"]!, (string)stages[1]!["targets"]![0]!["serviceMap"]!,
            (string)stages[2]!["targets"]![0]!["serviceMap"]!, (int)stages[2]!["targets"]![0]!["replicas"]!));
        Assert.Equal("debug", (string)stages[1]!["targets"]![0]!["env"]!["LOG_LEVEL"]!);

        var response = await team.T.Viewer.Client.GetAsync($"/api/v1/pipelines/{id}/yaml");
        Assert.Equal("text/yaml", response.Content.Headers.ContentType!.MediaType);
        var yaml = await response.Content.ReadAsStringAsync();
        Assert.Contains("buildDefinition: api", yaml);
        Assert.Contains("serviceMap: dev", yaml);
        Assert.DoesNotContain(team.Dev, yaml);

        var (putStatus, put) = await SendAsync(team.Developer.PutAsJsonAsync($"/api/v1/pipelines/{id}/yaml", new { yaml, expectedVersion = 1 }));
        Assert.True(putStatus == HttpStatusCode.OK, put.ToJsonString());
        Assert.Equal(1, (int)put["version"]!);
        Assert.Single((await team.T.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/pipelines/{id}/versions"))!);

        // The same YAML with one change is version 2.
        var (changedStatus, changed) = await SendAsync(team.Developer.PutAsJsonAsync($"/api/v1/pipelines/{id}/yaml",
            new { yaml = yaml.Replace("replicas: 3", "replicas: 4"), reason = "more" }));
        Assert.Equal((HttpStatusCode.OK, 2), (changedStatus, (int)changed["version"]!));
    }

    [Fact]
    public async Task the_list_shows_each_stage_of_the_last_run_by_number()
    {
        await using var team = await TeamAsync();
        var id = Guid.Parse((string)(await (await team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) })).BodyAsync())["id"]!);
        var view = (await team.Developer.GetFromJsonAsync<JsonNode>($"/api/v1/pipelines/{id}"))!;
        // Runs as the engine records them: run 2 (newer) built, run 1 only queued.
        var definition = System.Text.Json.JsonSerializer.Deserialize<PipelineDefinition>(view["definition"]!.ToJsonString(),
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } })!;
        var by = new ActorRef(Guid.NewGuid(), "dev");
        var at = DateTimeOffset.UtcNow;
        var (older, newer) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream<PipelineRun>(newer,
                new PipelineRunQueued(newer, id, Guid.Parse(team.T.WorkspaceId), "shop", 2, 1, definition, new RunTrigger(TriggerKind.Manual), null, null, by, at),
                new PipelineRunStarted(newer, id, "shop", 2, new RunTrigger(TriggerKind.Manual), by, at),
                new PipelineStepStarted(newer, id, "build", StageKind.Build, at),
                new PipelineStepSucceeded(newer, id, "build", StageKind.Build, "built", null, TimeSpan.FromSeconds(1), at),
                new PipelineStepStarted(newer, id, "dev", StageKind.Deploy, at));
            session.Events.StartStream<PipelineRun>(older,
                new PipelineRunQueued(older, id, Guid.Parse(team.T.WorkspaceId), "shop", 1, 1, definition, new RunTrigger(TriggerKind.Manual), null, null, by, at));
            await session.SaveChangesAsync();
        }
        var item = (await team.T.Viewer.Client.GetFromJsonAsync<JsonNode>(team.Pipelines))!["items"]![0]!;
        Assert.Equal((2, "Running"), ((int)item["lastRun"]!["number"]!, (string)item["lastRun"]!["status"]!));
        Assert.Equal(["Succeeded", "Running", "Pending"], item["stages"]!.AsArray().Select(s => (string)s!["status"]!).ToArray());
    }

    [Fact]
    public async Task a_deleted_pipeline_is_gone_from_the_list_and_its_reads()
    {
        await using var team = await TeamAsync();
        var id = (string)(await (await team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) })).BodyAsync())["id"]!;
        var viewer = await team.T.Viewer.Client.DeleteAsync($"/api/v1/pipelines/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        var deleted = await team.Developer.DeleteAsync($"/api/v1/pipelines/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Developer.GetAsync($"/api/v1/pipelines/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Developer.GetAsync($"/api/v1/pipelines/{id}/yaml")).StatusCode);
        Assert.Empty((await team.Developer.GetFromJsonAsync<JsonNode>(team.Pipelines))!["items"]!.AsArray());
        // The name is free again.
        Assert.Equal(HttpStatusCode.Created, (await team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) })).StatusCode);
    }

    [Fact]
    public async Task bad_definitions_are_400_on_the_field_and_nothing_is_created()
    {
        await using var team = await TeamAsync();
        var other = await Tenancy.Tenancy.CreateAsync(app, sim: team.T.Sim, clusterId: team.T.ClusterId);
        var foreignMap = (string)(await other.CreateServiceMapAsync(other.WorkspaceAdmin.Client, "secret-team-map"))["id"]!;

        var cycle = new
        {
            name = "cycle", source = new { kind = "Git", gitUrl = "https://git.example.com/x.git" },
            stages = new object[]
            {
                new { name = "build", kind = "Build", buildDefinition = team.Build, after = Array.Empty<string>() },
                new { name = "dev", kind = "Deploy", after = new[] { "build", "prod" }, targets = new[] { new { serviceMap = team.Dev, workload = "api", containers = new[] { "api" } } } },
                new { name = "prod", kind = "Promote", after = new[] { "dev" }, targets = new[] { new { serviceMap = team.Prod, workload = "api", containers = new[] { "api" } } } },
            },
        };
        var unknownAfter = new
        {
            name = "after", source = new { kind = "Git", gitUrl = "https://git.example.com/x.git" },
            stages = new object[]
            {
                new { name = "build", kind = "Build", buildDefinition = team.Build },
                new { name = "dev", kind = "Deploy", after = new[] { "bulid" }, targets = new[] { new { serviceMap = team.Dev, workload = "api", containers = new[] { "api" } } } },
            },
        };
        var cases = new (string Name, object Body, string Field, string? Says)[]
        {
            ("a cycle", new { definition = cycle }, "stages", "dev → prod → dev"),
            ("an unknown after", new { definition = unknownAfter }, "stages[1].after", "bulid"),
            ("another workspace's service map", new { definition = Definition(team, "foreign", devMap: foreignMap) }, "stages[1].targets[0].serviceMap",
                "not a service map of this workspace"),
            ("a cron that does not parse", new { definition = Definition(team, "cron", schedule: "61 * * * *") }, "triggers.schedule", "not a cron schedule"),
            ("an unknown build definition name in YAML", new { yaml = Yaml.Replace("buildDefinition: api", "buildDefinition: web") }, "stages[0].buildDefinition",
                "no build definition named 'web'"),
            ("a YAML alias", new { yaml = Yaml.Replace("containers: [api]\n    env:", "containers: &c [api]\n    env:").Replace("containers: [api]\n    replicas", "containers: *c\n    replicas") },
                "yaml", "anchor"),
            ("an oversize YAML", new { yaml = Yaml + "\ndescription: " + new string('x', 300 * 1024) }, "yaml", "256 KiB"),
            ("an unknown YAML field", new { yaml = Yaml.Replace("name: shop", "name: shop\ncolour: red") }, "yaml", null),
        };
        foreach (var (name, body, field, says) in cases)
        {
            var (status, problem) = await SendAsync(team.Developer.PostAsJsonAsync(team.Pipelines, body));
            Assert.True(status == HttpStatusCode.BadRequest, $"{name}: {(int)status} {problem.ToJsonString()}");
            Assert.True(Fields(problem).Contains(field), $"{name}: {problem.ToJsonString()}");
            if (says is not null) Assert.Contains(says, problem["errors"]![field]![0]!.ToString());
            Assert.DoesNotContain("secret-team-map", problem.ToJsonString());
        }
        Assert.Empty((await team.Developer.GetFromJsonAsync<JsonNode>(team.Pipelines))!["items"]!.AsArray());
        await other.DisposeAsync();
    }

    [Fact]
    public async Task viewers_may_read_but_not_define_and_strangers_are_told_there_is_no_such_pipeline()
    {
        await using var team = await TeamAsync();
        var viewer = await team.T.Viewer.Client.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) });
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        var id = (string)(await (await team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team) })).BodyAsync())["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await team.T.Viewer.Client.GetAsync($"/api/v1/pipelines/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await team.T.Viewer.Client.PutAsJsonAsync($"/api/v1/pipelines/{id}", new { definition = Definition(team, "renamed") })).StatusCode);

        var stranger = await app.CreateUserAsync();
        foreach (var url in new[] { $"/api/v1/pipelines/{id}", $"/api/v1/pipelines/{id}/yaml", $"/api/v1/pipelines/{id}/versions", team.Pipelines })
        {
            var response = await stranger.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("shop", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsync($"/api/v1/pipelines/{id}/webhook-secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.DeleteAsync($"/api/v1/pipelines/{id}")).StatusCode);
    }

    [Fact]
    public async Task the_webhook_secret_is_answered_once_and_never_shown_again()
    {
        await using var team = await TeamAsync();
        var (status, created) = await SendAsync(team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team, gitPush: "GitHub") }));
        Assert.True(status == HttpStatusCode.Created, created.ToJsonString());
        var id = (string)created["id"]!;
        var first = TestSecrets.Remember((string)created["webhook"]!["secret"]!);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", first);
        Assert.Equal($"/api/v1/hooks/pipelines/{id}/github", (string)created["webhook"]!["path"]!);
        Assert.True((bool)created["hasWebhookSecret"]!);

        var (rotatedStatus, rotated) = await SendAsync(team.Developer.PostAsync($"/api/v1/pipelines/{id}/webhook-secret", null));
        Assert.Equal(HttpStatusCode.OK, rotatedStatus);
        var second = TestSecrets.Remember((string)rotated["secret"]!);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.T.Viewer.Client.PostAsync($"/api/v1/pipelines/{id}/webhook-secret", null)).StatusCode);

        var seen = string.Join("\n", await Task.WhenAll(
            team.T.Viewer.Client.GetStringAsync($"/api/v1/pipelines/{id}"),
            team.T.Viewer.Client.GetStringAsync($"/api/v1/pipelines/{id}/yaml"),
            team.T.Viewer.Client.GetStringAsync($"/api/v1/pipelines/{id}/versions"),
            team.T.Viewer.Client.GetStringAsync(team.Pipelines),
            team.T.Admin.GetStringAsync($"/api/v1/audit/events?streamId={id}")));
        Assert.DoesNotContain(first, seen);
        Assert.DoesNotContain(second, seen);
        Assert.Contains("made a new webhook secret for the pipeline shop", seen);

        // A pipeline without a git push trigger has no webhook to rotate.
        var plain = (string)(await (await team.Developer.PostAsJsonAsync(team.Pipelines, new { definition = Definition(team, "plain") })).BodyAsync())["id"]!;
        var (noHook, problem) = await SendAsync(team.Developer.PostAsync($"/api/v1/pipelines/{plain}/webhook-secret", null));
        Assert.Equal((HttpStatusCode.BadRequest, true), (noHook, Fields(problem).Contains("triggers.gitPush")));
    }
}
