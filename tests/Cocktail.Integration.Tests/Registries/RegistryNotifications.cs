using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>The registry's notification envelope as Distribution 2.8 sends it, and a workspace with members to browse it.</summary>
public static class RegistryNotifications
{
    public const string MediaType = "application/vnd.docker.distribution.events.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    public static string Digest(string seed) =>
        "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();

    public static JsonObject Event(string action, string repository, string? tag, string digest, string mediaType = OciManifest, long size = 1234,
        string actor = "dana", DateTimeOffset? at = null) => new()
    {
        ["id"] = Guid.NewGuid().ToString(), ["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O"), ["action"] = action,
        ["target"] = new JsonObject
        {
            ["mediaType"] = mediaType, ["size"] = size, ["digest"] = digest, ["length"] = size, ["repository"] = repository,
            ["url"] = $"http://registry.test/v2/{repository}/manifests/{digest}", ["tag"] = tag,
        },
        ["request"] = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["addr"] = "10.1.2.3:51234", ["host"] = "registry.test", ["method"] = "PUT", ["useragent"] = "skopeo/1.13" },
        ["actor"] = new JsonObject { ["name"] = actor },
        ["source"] = new JsonObject { ["addr"] = "registry:5000", ["instanceID"] = "abc" },
    };

    public static async Task<HttpResponseMessage> PostAsync(CocktailApp app, string? secret, params JsonObject[] events)
    {
        using var client = app.Anonymous();
        if (secret is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var body = new JsonObject { ["events"] = new JsonArray(events.Select(e => e.DeepClone()).ToArray()) }.ToJsonString();
        return await client.PostAsync("/api/v1/registry/notifications", new StringContent(body, Encoding.UTF8, MediaType));
    }
}

/// <summary>A workspace (no cluster needed) with a workspace admin, a developer and a viewer, and a stranger admin of another.</summary>
public sealed record RegistryTeam(string WorkspaceId, string WorkspaceName, HttpClient Admin, TestUser WorkspaceAdmin, TestUser Developer, TestUser Viewer,
    TestUser Stranger)
{
    public static async Task<RegistryTeam> CreateAsync(CocktailApp app)
    {
        var admin = await app.AsAdminAsync();
        async Task<(string Id, string Name)> WorkspaceAsync()
        {
            var name = $"img-{Guid.NewGuid():N}"[..12];
            var body = await (await admin.PostAsJsonAsync("/api/v1/workspaces", new { name, description = "Images" })).BodyAsync();
            return ((string)body["id"]!, name);
        }
        var (id, workspaceName) = await WorkspaceAsync();
        var (otherId, _) = await WorkspaceAsync();
        var wsAdmin = await app.CreateUserAsync();
        var developer = await app.CreateUserAsync();
        var viewer = await app.CreateUserAsync();
        var stranger = await app.CreateUserAsync();
        foreach (var (workspace, user, role) in new[] { (id, wsAdmin, "WorkspaceAdmin"), (id, developer, "Developer"), (id, viewer, "Viewer"), (otherId, stranger, "WorkspaceAdmin") })
        {
            var added = await admin.PostAsJsonAsync($"/api/v1/workspaces/{workspace}/members", new { userId = user.Id, role });
            if (!added.IsSuccessStatusCode) throw new InvalidOperationException(await added.Content.ReadAsStringAsync());
        }
        return new RegistryTeam(id, workspaceName, admin, wsAdmin, developer, viewer, stranger);
    }
}
