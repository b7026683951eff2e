using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using WorkloadsApi = Cocktail.Integration.Tests.Workloads.Workloads;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>
/// Cocktail as the token server of the real registry, whose notifications report pushes (so pushed images are
/// scanned); builds (Kaniko) and scans (Trivy) run as Jobs on a KubeSim build cluster.
/// </summary>
public sealed class PipelineBuildApp : RegistryApp
{
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public PipelineBuildApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        WithSetting("Cocktail:ImageScanning:DbRepository", "mirror.example.com/aquasecurity/trivy-db");
    }

    protected override RegistryNotifications? Notifications() =>
        new(new Uri(BaseAddress, "/api/v1/registry/notifications"), new Dictionary<string, string> { ["Authorization"] = $"Bearer {NotificationSecret}" })
        {
            IgnoredMediaTypes = ["application/octet-stream", OciImage.LayerMediaType, OciImage.ConfigMediaType],
        };
}

/// <summary>
/// The issue's main scenario: a GitHub push (signed as GitHub signs) starts a run that builds the pushed commit with
/// Kaniko into the workspace registry, waits for the image's Trivy scan and judges it, then deploys it to a service map.
/// </summary>
public sealed class PipelineBuildTests(PipelineBuildApp app) : IClassFixture<PipelineBuildApp>
{
    const string Head = "9fceb02d0ae598e95dc970b74767f19372d61af8";

    sealed record Setup(Tenancy.Tenancy T, RegistryServer Registry, string Pipeline, string Secret, string Namespace, string Workload);

    async Task<Setup> SetUpAsync(string repository)
    {
        var registry = app.RequireRegistry();
        var t = await Tenancy.Tenancy.CreateAsync(app);
        var settings = await t.Admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId = t.ClusterId, @namespace = "cocktail-builds" });
        Assert.True(settings.IsSuccessStatusCode, (await settings.BodyAsync()).ToJsonString());

        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, $"dev-{Guid.NewGuid():N}"[..12]);
        var mapId = (string)map["id"]!;
        var workload = await WorkloadsApi.DeployAsync(t.Developer.Client, mapId, WorkloadsApi.Web(replicas: 1));
        await WorkloadsApi.WaitForRolloutAsync(t.Developer.Client, (string)workload["id"]!, "Available");

        var definition = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/build-definitions",
            new { name = repository, gitUrl = "https://git.example.com/shop/api.git", @ref = "main", repository, tagTemplate = "{branch}-{buildNumber}" });
        var definitionBody = await definition.BodyAsync();
        Assert.True(definition.StatusCode == HttpStatusCode.Created, definitionBody.ToJsonString());

        var created = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/pipelines", new
        {
            definition = new
            {
                name = repository, source = new { kind = "Git", gitUrl = "https://git.example.com/shop/api.git", branches = "main" },
                stages = new object[]
                {
                    new { name = "build", kind = "Build", buildDefinition = (string)definitionBody["id"]! },
                    new { name = "gate", kind = "ScanGate", scan = new { blockCritical = true } },
                    new { name = "dev", kind = "Deploy", targets = new[] { new { serviceMap = mapId, workload = "web", containers = new[] { "web" } } } },
                },
                triggers = new { gitPush = "GitHub" },
            },
        });
        var pipeline = await created.BodyAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, pipeline.ToJsonString());
        var secret = TestSecrets.Remember((string)pipeline["webhook"]!["secret"]!);
        return new Setup(t, registry, (string)pipeline["id"]!, secret, (string)map["namespace"]!, (string)workload["id"]!);
    }

    /// <summary>A push to main as GitHub delivers it: X-GitHub-Event and X-Hub-Signature-256 = sha256=hex(HMAC-SHA256(secret, body)).</summary>
    async Task<Guid> PushAsync(Setup s)
    {
        var body = $$"""
            {
              "ref": "refs/heads/main", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "after": "{{Head}}",
              "repository": { "clone_url": "https://git.example.com/shop/api.git" },
              "pusher": { "name": "dana", "email": "dana@example.com" },
              "head_commit": { "id": "{{Head}}", "message": "Ship the cart", "timestamp": "2026-12-01T09:30:00Z" }
            }
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/hooks/pipelines/{s.Pipeline}/github")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-Hub-Signature-256",
            "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(s.Secret), Encoding.UTF8.GetBytes(body))));
        using var anonymous = app.Anonymous();
        var response = await anonymous.SendAsync(request);
        var receipt = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted && (bool)receipt["started"]!, receipt.ToJsonString());
        return Guid.Parse((string)receipt["runId"]!);
    }

    static Task<JsonNode> WaitForRunAsync(Setup s, Guid runId, Func<JsonNode, bool> until, string because) =>
        ClusterApp.WaitForAsync(s.T.Viewer.Client, $"/api/v1/pipeline-runs/{runId}", until, because, 150);

    /// <summary>The run ended (until the queued run exists, the GET is a 404 problem, whose status is a number).</summary>
    static bool Ended(JsonNode r) => r["steps"] is not null && (string?)r["status"] is "Succeeded" or "Failed" or "Cancelled";

    static JsonNode Step(JsonNode run, string name) => run["steps"]!.AsArray().First(x => (string)x!["name"]! == name)!;

    static IReadOnlyList<string> Lines(JsonNode step) => step["log"]!.AsArray().Select(l => (string)l!["text"]!).ToList();

    static string? DeploymentImage(Setup s) =>
        (string?)s.T.Sim.Objects.Get("apps/v1", "Deployment", "web", s.Namespace)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    [SkippableFact]
    public async Task a_github_push_builds_the_commit_with_kaniko_passes_the_scan_gate_and_deploys_the_image_by_digest()
    {
        var s = await SetUpAsync("api");
        await using var _ = s.T;
        var before = DeploymentImage(s);

        var runId = await PushAsync(s);

        var run = await WaitForRunAsync(s, runId, Ended, "the run to end");
        Assert.True((string?)run["status"] == "Succeeded", run.ToJsonString());
        Assert.Equal(("GitPush", "main", Head, "dana"),
            ((string)run["trigger"]!["kind"]!, (string)run["trigger"]!["ref"]!, (string)run["trigger"]!["commit"]!, (string)run["trigger"]!["detail"]!));

        // The build: the definition's build of the pushed commit, queued as the pipeline, pushed to the workspace registry.
        var build = Step(run, "build");
        var buildView = await (await s.T.Viewer.Client.GetAsync($"/api/v1/builds/{(string)build["buildId"]!}")).BodyAsync();
        Assert.Equal((Head, "Succeeded"), ((string)buildView["commit"]!, (string)buildView["status"]!));
        var repository = $"{s.Registry.Authority}/{s.T.WorkspaceName}/api";
        var artifact = run["artifact"]!;
        Assert.Equal((repository, "main-1", (string)buildView["digest"]!),
            ((string)artifact["repository"]!, (string)artifact["tag"]!, (string)artifact["digest"]!));
        Assert.StartsWith($"Built {repository}:main-1 (sha256:", (string)build["summary"]!);

        // The gate waited for the image's Trivy scan, then found nothing blocking.
        var gate = Step(run, "gate");
        Assert.Equal("Succeeded", (string)gate["status"]!);
        Assert.Matches(@"^No finding blocks sha256:[0-9a-f]{12}…: 0 critical, 0 high\.$", (string)gate["summary"]!);

        // The deploy set the image, pinned by digest, on the workload in the service map.
        var image = $"{repository}:main-1@{(string)artifact["digest"]!}";
        Assert.NotEqual(before, image);
        Assert.Equal(image, DeploymentImage(s));
        Assert.Contains(Lines(Step(run, "dev")), l => l.StartsWith($"Deployed {image}", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task an_image_with_critical_findings_fails_the_scan_gate_and_the_run_and_nothing_is_deployed()
    {
        var s = await SetUpAsync("critical-api");
        await using var _ = s.T;
        var before = DeploymentImage(s);

        var runId = await PushAsync(s);

        var run = await WaitForRunAsync(s, runId, Ended, "the run to end");
        Assert.True((string?)run["status"] == "Failed", run.ToJsonString());
        Assert.Equal("gate", (string?)run["failedStage"]);
        var gate = Step(run, "gate");
        Assert.Equal("Failed", (string)gate["status"]!);
        var reason = (string)gate["reason"]!;
        Assert.Contains("3 critical", reason);
        Assert.Contains("CVE-2024-45491", reason);
        Assert.Contains(Lines(gate), l => l.StartsWith("Waiting for the scan of sha256:", StringComparison.Ordinal) || l.Contains("critical"));
        Assert.Equal("Pending", (string)Step(run, "dev")["status"]!);
        Assert.Equal(before, DeploymentImage(s));
    }
}
