using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Pipelines;
using Cocktail.Application.Pipelines.Triggering;
using Cocktail.Domain.Pipelines;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Wolverine;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>
/// Cocktail with a registry address (nothing listens: notifications are posted by the tests, as the registry would)
/// and no scanning; the cron scheduler's timer is removed so the tests choose "now" by sending the tick themselves.
/// </summary>
public sealed class PipelineTriggersApp : CocktailApp
{
    public const string RegistryAddress = "registry.cocktail.test:5000";
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public PipelineTriggersApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:Registry:Address", RegistryAddress);
        WithSetting("Cocktail:Registry:ApiUrl", "http://127.0.0.1:9/");
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithServices(Builds.RecordingRobots.AddIfMissing);
        WithServices(services =>
        {
            var scheduler = services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(Cocktail.Infrastructure.Pipelines.PipelineScheduler)).ToList();
            foreach (var d in scheduler) services.Remove(d);
        });
    }
}

public sealed class PipelineTriggerTests(PipelineTriggersApp app) : IClassFixture<PipelineTriggersApp>
{
    const string Head = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    async Task<(RegistryWorkspace W, string Definition)> WorkspaceAsync()
    {
        var w = await RegistryWorkspace.CreateAsync(app);
        var created = await w.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{w.Id}/build-definitions",
            new { name = "api", gitUrl = "https://git.example.com/shop/api.git", @ref = "main", repository = "api" });
        var body = await created.BodyAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return (w, (string)body["id"]!);
    }

    /// <summary>Creates a pipeline through the API; answers its id and (with a git push trigger) the webhook secret, shown once.</summary>
    static async Task<(string Id, string? Secret)> PipelineAsync(RegistryWorkspace w, object definition)
    {
        var created = await w.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{w.Id}/pipelines", new { definition });
        var body = await created.BodyAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        var secret = (string?)body["webhook"]?["secret"];
        if (secret is not null) TestSecrets.Remember(secret);
        return ((string)body["id"]!, secret);
    }

    static object GitPipeline(string name, string definition, string provider, string branches = "main, release/*", string? schedule = null) => new
    {
        name, source = new { kind = "Git", gitUrl = "https://git.example.com/shop/api.git", branches },
        stages = new object[] { new { name = "build", kind = "Build", buildDefinition = definition } },
        triggers = new { gitPush = provider, schedule },
    };

    static string Push(string branch, string commit = Head, string pusher = "dana") => $$"""
        {
          "ref": "refs/heads/{{branch}}", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "after": "{{commit}}",
          "checkout_sha": "{{commit}}", "user_username": "{{pusher}}",
          "repository": { "clone_url": "https://git.example.com/shop/api.git", "git_http_url": "https://git.example.com/shop/api.git" },
          "project": { "git_http_url": "https://git.example.com/shop/api.git" },
          "pusher": { "name": "{{pusher}}", "login": "{{pusher}}", "username": "{{pusher}}" },
          "commits": [ { "id": "{{commit}}", "message": "Fix the cart", "timestamp": "2026-12-01T10:00:00+00:00" } ],
          "head_commit": { "id": "{{commit}}", "message": "Fix the cart", "timestamp": "2026-12-01T10:00:00+00:00" }
        }
        """;

    /// <summary>Signed as each provider documents it, computed here: GitHub sha256=hex HMAC, GitLab the token itself, Gitea bare hex HMAC.</summary>
    static HttpRequestMessage Delivery(string pipelineId, string provider, string secret, string body, string eventName = "push")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/hooks/pipelines/{pipelineId}/{provider.ToLowerInvariant()}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var hmac = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
        switch (provider)
        {
            case "GitHub":
                request.Headers.Add("X-GitHub-Event", eventName);
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + hmac);
                break;
            case "GitLab":
                request.Headers.Add("X-Gitlab-Event", eventName == "push" ? "Push Hook" : eventName);
                request.Headers.Add("X-Gitlab-Token", secret);
                break;
            default:
                request.Headers.Add("X-Gitea-Event", eventName);
                request.Headers.Add("X-Gitea-Signature", hmac);
                break;
        }
        return request;
    }

    async Task<PipelineRunView?> RunAsync(Guid runId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<PipelineRunView>(runId);
    }

    async Task<IReadOnlyList<PipelineRunView>> RunsOfAsync(string pipelineId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var id = Guid.Parse(pipelineId);
        return await session.Query<PipelineRunView>().Where(r => r.PipelineId == id).ToListAsync();
    }

    [Theory]
    [InlineData("GitHub")]
    [InlineData("GitLab")]
    [InlineData("Gitea")]
    public async Task a_signed_push_to_a_filtered_branch_starts_a_run_with_the_branch_commit_and_pusher(string provider)
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, secret) = await PipelineAsync(w, GitPipeline($"api-{provider.ToLowerInvariant()}", definition, provider));
        Assert.NotNull(secret);
        using var anonymous = app.Anonymous();

        var response = await anonymous.SendAsync(Delivery(pipelineId, provider, secret!, Push("release/1.2")));
        var receipt = await response.BodyAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True((bool)receipt["started"]!, receipt.ToJsonString());
        var runId = Guid.Parse((string)receipt["runId"]!);
        var run = await Eventually.GetAsync(() => RunAsync(runId), r => r is not null, because: "the webhook's run queued");
        Assert.Equal((Guid.Parse(pipelineId), TriggerKind.GitPush, "release/1.2", Head, "dana"),
            (run!.PipelineId, run.Trigger.Kind, run.Trigger.Ref, run.Trigger.Commit, run.Trigger.Detail));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), run.Trigger.CommittedAt);
        Assert.Equal($"{provider} webhook", run.QueuedBy);
        Assert.DoesNotContain(secret!, (await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task a_bad_signature_is_401_without_the_secret_and_nothing_starts()
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, secret) = await PipelineAsync(w, GitPipeline("api-bad", definition, "GitHub"));
        using var anonymous = app.Anonymous();
        var wrong = TestSecrets.Remember("whsec-wrong-" + Guid.NewGuid().ToString("N"));

        var forged = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", wrong, Push("main")));
        var text = await forged.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("X-Hub-Signature-256", text);
        Assert.DoesNotContain(secret!, text);
        Assert.DoesNotContain(wrong, text);

        // A signature over another body (the body changed on the way) is as bad as none.
        var tampered = Delivery(pipelineId, "GitHub", secret!, Push("main"));
        tampered.Content = new StringContent(Push("main", commit: "ffffffffffffffffffffffffffffffffffffffff"), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(tampered)).StatusCode);

        await Task.Delay(500);
        Assert.Empty(await RunsOfAsync(pipelineId));
    }

    [Fact]
    public async Task unknown_pipelines_other_providers_and_deleted_pipelines_are_all_404()
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, secret) = await PipelineAsync(w, GitPipeline("api-404", definition, "GitHub"));
        using var anonymous = app.Anonymous();

        var unknown = await anonymous.SendAsync(Delivery(Guid.NewGuid().ToString(), "GitHub", secret!, Push("main")));
        var otherProvider = await anonymous.SendAsync(Delivery(pipelineId, "Gitea", secret!, Push("main")));
        var noProvider = await anonymous.PostAsync($"/api/v1/hooks/pipelines/{pipelineId}/bitbucket", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown.StatusCode, otherProvider.StatusCode, noProvider.StatusCode));
        // The same words either way: nothing tells a guessed pipeline id from a wrong provider.
        Assert.Equal((string?)(await unknown.BodyAsync())["detail"], (string?)(await otherProvider.BodyAsync())["detail"]);

        Assert.Equal(HttpStatusCode.NoContent, (await w.Developer.Client.DeleteAsync($"/api/v1/pipelines/{pipelineId}")).StatusCode);
        var deleted = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", secret!, Push("main")));
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
    }

    [Fact]
    public async Task a_branch_the_filter_refuses_a_tag_push_and_a_ping_are_202_and_start_nothing()
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, secret) = await PipelineAsync(w, GitPipeline("api-filter", definition, "GitHub", branches: "main, release/*, !release/old"));
        using var anonymous = app.Anonymous();

        var feature = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", secret!, Push("feature/cart")));
        var excluded = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", secret!, Push("release/old")));
        var tag = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", secret!, Push("main").Replace("refs/heads/main", "refs/tags/v1.0")));
        var ping = await anonymous.SendAsync(Delivery(pipelineId, "GitHub", secret!, """{"zen":"Keep it logically awesome.","hook_id":1}""", "ping"));

        foreach (var (response, words) in new[] { (feature, "feature/cart"), (excluded, "release/old"), (tag, "refs/tags/v1.0"), (ping, "ping") })
        {
            var body = await response.BodyAsync();
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.False((bool)body["started"]!, body.ToJsonString());
            Assert.Contains(words, (string)body["reason"]!);
        }
        await Task.Delay(500);
        Assert.Empty(await RunsOfAsync(pipelineId));
    }

    [Fact]
    public async Task a_body_over_5_mib_is_413()
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, secret) = await PipelineAsync(w, GitPipeline("api-big", definition, "GitHub"));
        using var anonymous = app.Anonymous();
        var big = Push("main").Replace("\"Fix the cart\"", "\"" + new string('x', 5 * 1024 * 1024) + "\"");
        var request = Delivery(pipelineId, "GitHub", secret!, big);
        // With 100-continue the refusal arrives before the body is sent (without, the client sees the early answer as a broken pipe).
        request.Headers.ExpectContinue = true;
        var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task a_registry_push_of_a_matching_tag_starts_a_run_with_the_image_and_others_do_not()
    {
        var (w, definition) = await WorkspaceAsync();
        var (pipelineId, _) = await PipelineAsync(w, new
        {
            name = "api-images", source = new { kind = "Registry", repository = "api", tags = "v*" },
            stages = new object[] { new { name = "build", kind = "Build", buildDefinition = definition } },
            triggers = new { registryPush = true },
        });
        var repository = w.Repository("api");
        var digest = RegistryNotifications.Digest(repository + Guid.NewGuid());
        var other = RegistryNotifications.Digest(repository + Guid.NewGuid());

        var pushed = await RegistryNotifications.PostAsync(app, PipelineTriggersApp.NotificationSecret,
            RegistryNotifications.Event("push", repository, "v1.4.0", digest),
            RegistryNotifications.Event("push", repository, "latest", other),
            RegistryNotifications.Event("push", w.Repository("web"), "v9", other));
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);

        var runs = await Eventually.GetAsync(() => RunsOfAsync(pipelineId), r => r.Count > 0, because: "the matching push queued a run");
        await Task.Delay(1000);
        var run = Assert.Single(await RunsOfAsync(pipelineId));
        Assert.Equal((TriggerKind.RegistryPush, "v1.4.0", digest), (run.Trigger.Kind, run.Trigger.Tag, run.Trigger.Digest));
        Assert.Equal(new PipelineArtifact($"{PipelineTriggersApp.RegistryAddress}/{repository}", "v1.4.0", digest), run.Artifact);
        Assert.NotEmpty(runs);
    }

    [Fact]
    public async Task a_schedule_starts_exactly_one_run_each_time_it_comes_due_and_never_for_the_time_before_it_was_seen()
    {
        var (w, definition) = await WorkspaceAsync();
        var (hourly, _) = await PipelineAsync(w, GitPipeline("api-hourly", definition, "GitHub", branches: "main", schedule: "0 * * * *"));
        var (yearly, _) = await PipelineAsync(w, GitPipeline("api-yearly", definition, "GitHub", branches: "main, release/*", schedule: "0 0 1 1 *"));
        var (never, _) = await PipelineAsync(w, GitPipeline("api-never", definition, "GitHub"));
        var t0 = new DateTimeOffset(2100, 1, 1, 0, 0, 30, TimeSpan.Zero);

        async Task TickAsync(DateTimeOffset now)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new RunScheduledPipelines(now));
        }

        await TickAsync(t0); // first sight: marks made, nothing run for the past
        await TickAsync(t0.AddMinutes(59));
        await Task.Delay(500);
        Assert.Empty(await RunsOfAsync(hourly));

        await TickAsync(t0.AddHours(1));
        await TickAsync(t0.AddHours(1).AddSeconds(15));
        var runs = await Eventually.GetAsync(() => RunsOfAsync(hourly), r => r.Count > 0, because: "the hourly schedule came due");
        await Task.Delay(1000);
        var run = Assert.Single(await RunsOfAsync(hourly));
        Assert.Equal((TriggerKind.Schedule, "main", "0 * * * *"), (run.Trigger.Kind, run.Trigger.Ref, run.Trigger.Detail));
        Assert.NotEmpty(runs);

        // Three hours missed fire once, not three times.
        await TickAsync(t0.AddHours(4));
        await Eventually.GetAsync(() => RunsOfAsync(hourly), r => r.Count == 2, because: "the missed hours fire once");
        await Task.Delay(1000);
        Assert.Equal(2, (await RunsOfAsync(hourly)).Count);
        Assert.Empty(await RunsOfAsync(yearly));
        Assert.Empty(await RunsOfAsync(never));
    }
}
