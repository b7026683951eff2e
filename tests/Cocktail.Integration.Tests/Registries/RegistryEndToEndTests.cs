using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Registries;
using Cocktail.Domain.Registries;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>
/// Cocktail as the token server of the real registry, and the registry's own notifications configured to call
/// Cocktail back with the notification secret; quick cluster probes for the pull-secret test's service map.
/// </summary>
public sealed class RegistryEndToEndApp : RegistryApp
{
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public RegistryEndToEndApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
    }

    protected override Cocktail.Testing.Registry.RegistryNotifications? Notifications() =>
        new Cocktail.Testing.Registry.RegistryNotifications(new Uri(BaseAddress, "/api/v1/registry/notifications"), new Dictionary<string, string> { ["Authorization"] = $"Bearer {NotificationSecret}" })
        {
            // Layers and configs are not what a user browses; the registry need not send them.
            IgnoredMediaTypes = ["application/octet-stream", OciImage.LayerMediaType, OciImage.ConfigMediaType],
        };
}

/// <summary>
/// End to end, with no stand-in on either side: skopeo pushes to the token-auth registry with Cocktail's credentials,
/// the registry's own notification makes the tag appear in Cocktail, a tag deleted through Cocktail's API leaves the
/// registry, and the pull secret Cocktail writes into a service map namespace pulls the workspace's image until a
/// rotation revokes its robot.
/// </summary>
public sealed class RegistryEndToEndTests(RegistryEndToEndApp app) : IClassFixture<RegistryEndToEndApp>
{
    static readonly TimeSpan Notified = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task a_robots_push_reaches_cocktail_by_the_registrys_own_notification_and_the_tag_is_listed_with_digest_pusher_and_config()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var robot = await RobotAccountTests.CreateRobotAsync(team.WorkspaceAdmin.Client, team, "ci", "PushPull");
        using var client = new RegistryClient(registry);
        var created = new DateTimeOffset(2026, 11, 30, 8, 15, 0, TimeSpan.Zero);
        var image = OciImage.Create($"e2e {Guid.NewGuid():N}", created);

        var pushed = await client.PushAsync(team.Repository("shop/web"), "v1", robot.UserName, robot.Password, image);

        Assert.True(pushed.Succeeded, $"{pushed}\n{registry.Output}");
        var listed = await Eventually.GetAsync(() => RepositoriesAsync(team), r => r.Count == 1, Notified, "the registry's notification of the push");
        var repository = listed[0]!;
        Assert.Equal((team.Repository("shop/web"), "shop/web", 1, robot.UserName),
            ((string)repository["name"]!, (string)repository["shortName"]!, (int)repository["tagCount"]!, (string)repository["lastPushedBy"]!));
        // Cocktail reads the config from the registry with a token of its own: the build time and platform follow.
        var tag = await Eventually.GetAsync(async () => (await TagsAsync(team, (string)repository["id"]!)).Single()!, t => t["createdAt"] is not null, Notified,
            "the image's config read from the registry");
        Assert.Equal(("v1", image.Digest, robot.UserName, OciImage.ManifestMediaType, "linux/amd64"),
            ((string)tag["tag"]!, (string)tag["digest"]!, (string)tag["pushedBy"]!, (string)tag["mediaType"]!, (string)tag["platform"]!));
        Assert.Equal(created, (DateTimeOffset)tag["createdAt"]!);
        Assert.Equal(image.Manifest.Size, (long)tag["size"]!);
    }

    [SkippableFact]
    public async Task deleting_a_tag_through_the_api_removes_its_manifest_from_the_registry_and_leaves_the_other_images()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var robot = await RobotAccountTests.CreateRobotAsync(team.WorkspaceAdmin.Client, team, "ci", "PushPull");
        using var client = new RegistryClient(registry);
        var name = team.Repository("api");
        Assert.True((await client.PushAsync(name, "v1", robot.UserName, robot.Password)).Succeeded);
        Assert.True((await client.PushAsync(name, "v2", robot.UserName, robot.Password)).Succeeded);
        var repository = await Eventually.GetAsync(() => RepositoriesAsync(team), r => r.Count == 1 && (int)r[0]!["tagCount"]! == 2, Notified,
            "both pushes notified");
        var id = (string)repository[0]!["id"]!;
        Assert.True((await Skopeo.InspectAsync(registry.Reference(name, "v1"), robot.UserName, robot.Password)).Succeeded);

        var deleted = await team.Developer.Client.DeleteAsync($"/api/v1/image-repositories/{id}/tags/v1?reason=superseded");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(["v2"], (await TagsAsync(team, id)).Select(t => (string)t!["tag"]!));
        var gone = await Eventually.GetAsync(() => Skopeo.InspectAsync(registry.Reference(name, "v1"), robot.UserName, robot.Password), r => !r.Succeeded,
            Notified, "the manifest removed from the registry");
        Assert.Contains("manifest unknown", gone.Error);
        var kept = await Skopeo.InspectAsync(registry.Reference(name, "v2"), robot.UserName, robot.Password);
        Assert.True(kept.Succeeded, kept.ToString());
    }

    /// <summary>
    /// What Distribution 2.8 asks of a token for <c>DELETE /v2/&lt;name&gt;/manifests/&lt;digest&gt;</c>: the
    /// <c>delete</c> action alone; <c>pull,push</c> is not enough. Cocktail's registry client asks for just that.
    /// </summary>
    [SkippableFact]
    public async Task the_registry_deletes_a_manifest_for_a_token_with_the_delete_action_alone_and_refuses_pull_and_push()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var robot = await RobotAccountTests.CreateRobotAsync(team.WorkspaceAdmin.Client, team, "ci", "PushPull");
        using var client = new RegistryClient(registry);
        var name = team.Repository("del");
        var image = OciImage.Create($"delete {Guid.NewGuid():N}");
        Assert.True((await client.PushAsync(name, "v1", robot.UserName, robot.Password, image)).Succeeded);
        var issuer = app.Services.GetRequiredService<IRegistryTokenIssuer>();
        using var http = new HttpClient { BaseAddress = registry.Address };
        Task<HttpResponseMessage> DeleteAsync(params string[] actions) => http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"v2/{name}/manifests/{image.Digest}")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", issuer.Issue("e2e", [RegistryAccess.Repository(name, actions)], TimeSpan.FromMinutes(1))) },
        });

        var refused = await DeleteAsync(RegistryAccessRules.Pull, RegistryAccessRules.Push);
        var accepted = await DeleteAsync(RegistryAccessRules.Delete);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.False((await Skopeo.InspectAsync(registry.Reference(name, "v1"), robot.UserName, robot.Password)).Succeeded);
    }

    [SkippableFact]
    public async Task the_pull_secret_in_a_service_map_namespace_pulls_the_workspaces_image_until_rotation_revokes_its_robot()
    {
        var registry = app.RequireRegistry();
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        using var client = new RegistryClient(registry);
        var name = $"{t.WorkspaceName}/web";
        var seeded = await client.PushAsync(name, "v1", t.Developer.UserName, t.Developer.Password);
        Assert.True(seeded.Succeeded, $"{seeded}\n{registry.Output}");
        await t.WaitForStatusAsync((string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "pulls"))["id"]!, "Ready");
        using var kube = t.Kube();

        var first = await Eventually.GetAsync(() => PullSecretsTests.Absent(() => PullSecretsTests.AuthOfAsync(kube, "pulls", "cocktail-registry")),
            a => a.User is not null, because: "the workspace registry's pull secret");
        TestSecrets.Remember(first.Password);
        Assert.Equal(registry.Authority, first.Registry);
        Assert.StartsWith($"robot${t.WorkspaceName}+", first.User);
        var pulled = await client.PullAsync(name, "v1", first.User, first.Password);
        Assert.True(pulled.Succeeded, $"{pulled}\n{registry.Output}");
        Assert.False((await client.PushAsync(name, "v2", first.User, first.Password)).Succeeded, "a pull secret's robot may not push");

        Assert.Equal(HttpStatusCode.Accepted, (await t.WorkspaceAdmin.Client.PostAsync($"/api/v1/workspaces/{t.WorkspaceId}/pull-secrets/rotate", null)).StatusCode);

        var second = await Eventually.GetAsync(() => PullSecretsTests.AuthOfAsync(kube, "pulls", "cocktail-registry"), a => a.User != first.User,
            because: "the rotated robot in the namespace");
        TestSecrets.Remember(second.Password);
        var refused = await Eventually.GetAsync(() => client.PullAsync(name, "v1", first.User, first.Password), r => !r.Succeeded, TimeSpan.FromSeconds(30),
            "the old robot revoked once every namespace has the new one");
        Assert.Contains("unauthorized", refused.Error, StringComparison.OrdinalIgnoreCase);
        var again = await client.PullAsync(name, "v1", second.User, second.Password);
        Assert.True(again.Succeeded, $"{again}\n{registry.Output}");
        var robots = (await t.WorkspaceAdmin.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{t.WorkspaceId}/robot-accounts"))!;
        var old = robots.Single(r => (string)r!["userName"]! == first.User)!;
        Assert.Contains($"replaced by {second.User}", (string)old["revokeReason"]!);
    }

    static async Task<JsonArray> RepositoriesAsync(RegistryWorkspace team) =>
        (await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.Id}/image-repositories"))!;

    static async Task<JsonArray> TagsAsync(RegistryWorkspace team, string repositoryId) =>
        (await team.Viewer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/image-repositories/{repositoryId}"))!["tags"]!["items"]!.AsArray();
}
