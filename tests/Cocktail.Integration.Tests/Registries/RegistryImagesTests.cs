using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using static Cocktail.Integration.Tests.Registries.RegistryNotifications;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>Cocktail receiving registry notifications with a known secret, running retention rules every second.</summary>
public sealed class RegistryImagesApp : CocktailApp
{
    public static readonly string Secret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public RegistryImagesApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", Secret);
        WithSetting("Cocktail:Registry:RetentionInterval", "00:00:01");
    }
}

/// <summary>
/// The registry's notifications recorded as pushes, browsing repositories and tags, deleting tags and retention rules,
/// through the API (the registry itself is simulated by its notifications here; see the real-registry class).
/// </summary>
public sealed class RegistryImagesTests(RegistryImagesApp app) : IClassFixture<RegistryImagesApp>
{
    [Fact]
    public async Task a_wrong_or_missing_notification_secret_gets_401_and_records_nothing()
    {
        var team = await RegistryTeam.CreateAsync(app);
        var push = Event("push", $"{team.WorkspaceName}/web", "v1", Digest("wrong-secret"));

        var wrong = await PostAsync(app, "regnotify_not-the-secret", push);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.DoesNotContain(RegistryImagesApp.Secret, await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(app, null, push)).StatusCode);

        Assert.Empty((await team.Developer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.WorkspaceId}/image-repositories"))!);
    }

    [Fact]
    public async Task a_tagged_manifest_push_becomes_a_tag_with_digest_size_and_pusher_that_members_read_and_strangers_do_not()
    {
        var team = await RegistryTeam.CreateAsync(app);
        var repository = $"{team.WorkspaceName}/shop/web";
        var digest = Digest(repository + "v1");
        var push = Event("push", repository, "v1", digest, size: 5120, actor: "robot$ci");

        var posted = await PostAsync(app, RegistryImagesApp.Secret,
            Event("push", repository, null, Digest("layer"), "application/vnd.oci.image.layer.v1.tar+gzip"), // a blob
            Event("pull", repository, "v1", digest), push, Event("push", "nobody-knows-this/web", "v1", digest));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal((4, 1), ((int)(await posted.BodyAsync())["events"]!, (int)(await posted.BodyAsync())["recorded"]!));
        // The registry retries a notification until it gets a 2xx: the same push again records nothing.
        Assert.Equal(0, (int)(await (await PostAsync(app, RegistryImagesApp.Secret, push)).BodyAsync())["recorded"]!);

        var listed = Assert.Single((await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.WorkspaceId}/image-repositories"))!)!;
        Assert.Equal((repository, "shop/web", 1, "robot$ci"), ((string)listed["name"]!, (string)listed["shortName"]!, (int)listed["tagCount"]!, (string)listed["lastPushedBy"]!));
        var id = (string)listed["id"]!;
        var details = (await team.Viewer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/image-repositories/{id}"))!;
        var tag = Assert.Single(details["tags"]!["items"]!.AsArray())!;
        Assert.Equal(("v1", digest, 5120L, "robot$ci", OciManifest), ((string)tag["tag"]!, (string)tag["digest"]!, (long)tag["size"]!, (string)tag["pushedBy"]!, (string)tag["mediaType"]!));

        Assert.Equal(HttpStatusCode.NotFound, (await team.Stranger.Client.GetAsync($"/api/v1/image-repositories/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Stranger.Client.GetAsync($"/api/v1/workspaces/{team.WorkspaceId}/image-repositories")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Stranger.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await team.Viewer.Client.GetAsync($"/api/v1/image-repositories/{id}?sort=size")).StatusCode);
    }

    [Fact]
    public async Task deleting_a_tag_deletes_every_tag_of_its_image_viewers_may_not_and_the_audit_trail_says_who()
    {
        var team = await RegistryTeam.CreateAsync(app);
        var repository = $"{team.WorkspaceName}/api";
        var (one, two) = (Digest(repository + "1"), Digest(repository + "2"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, RegistryImagesApp.Secret, Event("push", repository, "v1", one), Event("push", repository, "latest", one),
            Event("push", repository, "v2", two))).StatusCode);
        var id = await RepositoryIdAsync(team, repository);

        Assert.Equal(HttpStatusCode.Forbidden, (await team.Viewer.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Developer.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/v9")).StatusCode);
        var bad = await team.Developer.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/-bad");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.BodyAsync())["errors"]!["tag"]);

        Assert.Equal(HttpStatusCode.NoContent, (await team.Developer.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/v1?reason=broken%20build")).StatusCode);
        var tags = (await team.Viewer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/image-repositories/{id}"))!["tags"]!["items"]!.AsArray();
        Assert.Equal(["v2"], tags.Select(t => (string)t!["tag"]!));

        var audit = (await team.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit/events?streamId={id}"))!.ToJsonString();
        Assert.Contains($"deleted {repository}:v1", audit);
        Assert.Contains($"deleted {repository}:latest", audit);
        Assert.Contains("same image as v1: broken build", audit);
    }

    [Fact]
    public async Task a_retention_rule_is_for_workspace_admins_refuses_bad_bounds_and_deletes_the_older_tags_on_its_schedule()
    {
        var team = await RegistryTeam.CreateAsync(app);
        var repository = $"{team.WorkspaceName}/worker";
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, RegistryImagesApp.Secret,
            Event("push", repository, "b1", Digest(repository + "1"), at: start), Event("push", repository, "b2", Digest(repository + "2"), at: start.AddMinutes(1)),
            Event("push", repository, "b3", Digest(repository + "3"), at: start.AddMinutes(2)))).StatusCode);
        var id = await RepositoryIdAsync(team, repository);

        Assert.Equal(HttpStatusCode.Forbidden, (await team.Developer.Client.PutAsJsonAsync($"/api/v1/image-repositories/{id}/retention", new { keepLast = 1 })).StatusCode);
        var bad = await team.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/image-repositories/{id}/retention", new { keepLast = 0, keepNewerThanDays = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.BodyAsync())["errors"]!["keepLast"]);
        Assert.Equal(3, (await TagsAsync(team, id)).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await team.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/image-repositories/{id}/retention", new { keepLast = 2 })).StatusCode);
        var left = await Eventually.GetAsync(() => TagsAsync(team, id), t => t.Count == 2, TimeSpan.FromSeconds(20), "the rule's run");
        Assert.Equal(["b3", "b2"], left);
        var listed = Assert.Single((await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.WorkspaceId}/image-repositories"))!)!;
        Assert.Equal("keep the last 2 tags", (string)listed["retention"]!);
        var audit = (await team.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit/events?streamId={id}"))!.ToJsonString();
        Assert.Contains($"system deleted {repository}:b1", audit);
    }

    private static async Task<List<string>> TagsAsync(RegistryTeam team, string id) =>
        (await team.Viewer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/image-repositories/{id}"))!["tags"]!["items"]!.AsArray().Select(t => (string)t!["tag"]!).ToList();

    private static async Task<string> RepositoryIdAsync(RegistryTeam team, string repository) =>
        (string)(await team.Developer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.WorkspaceId}/image-repositories"))!
            .Single(r => (string)r!["name"]! == repository)!["id"]!;
}
