using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Registry;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>A workspace with an admin, a developer and a viewer (no cluster: the registry needs none).</summary>
public sealed record RegistryWorkspace(string Id, string Name, TestUser WorkspaceAdmin, TestUser Developer, TestUser Viewer)
{
    public static async Task<RegistryWorkspace> CreateAsync(CocktailApp app)
    {
        using var admin = await app.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var created = await admin.PostAsJsonAsync("/api/v1/workspaces", new { name, description = "Registry team", color = "#336699" });
        var workspace = await created.BodyAsync();
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException(workspace.ToJsonString());
        var id = (string)workspace["id"]!;
        var wsAdmin = await app.CreateUserAsync();
        var developer = await app.CreateUserAsync();
        var viewer = await app.CreateUserAsync();
        foreach (var (user, role) in new[] { (wsAdmin, "WorkspaceAdmin"), (developer, "Developer"), (viewer, "Viewer") })
        {
            var added = await admin.PostAsJsonAsync($"/api/v1/workspaces/{id}/members", new { userId = user.Id, role });
            if (!added.IsSuccessStatusCode) throw new InvalidOperationException(await added.Content.ReadAsStringAsync());
        }
        return new RegistryWorkspace(id, name, wsAdmin, developer, viewer);
    }

    public string Repository(string repository) => $"{Name}/{repository}";
}

public static class RegistryTokens
{
    /// <summary>GET the realm as a registry client does, with Basic credentials or none.</summary>
    public static Task<HttpResponseMessage> RequestAsync(HttpClient anonymous, string? userName, string? password, params string[] scopes)
    {
        var query = "service=cocktail-registry" + string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/registry/token?" + query);
        if (userName is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}")));
        return anonymous.SendAsync(request);
    }

    /// <summary>The JWT's header and claims, decoded (the signature is the registry's to check).</summary>
    public static (JsonNode Header, JsonNode Claims) Decode(string jwt)
    {
        var parts = jwt.Split('.');
        return (JsonNode.Parse(Base64Url(parts[0]))!, JsonNode.Parse(Base64Url(parts[1]))!);
    }

    /// <summary>The access entries as "type:name:action,action" strings, for short assertions.</summary>
    public static string[] Access(JsonNode claims) =>
        claims["access"]!.AsArray().Select(a => $"{a!["type"]}:{a["name"]}:{string.Join(',', a["actions"]!.AsArray().Select(x => (string)x!))}").ToArray();

    static byte[] Base64Url(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);
}

/// <summary>Pushes and pulls with the real skopeo, an image made for each push in a temporary OCI layout.</summary>
public sealed class RegistryClient(RegistryServer registry) : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("cocktail-oci-").FullName;

    public async Task<ClientRun> PushAsync(string repository, string tag, string? userName, string? password, OciImage? image = null)
    {
        image ??= OciImage.Create($"{repository}:{tag} {Guid.NewGuid():N}");
        var source = image.WriteLayout(Path.Combine(_folder, Guid.NewGuid().ToString("N")));
        return await Skopeo.PushAsync(source, registry.Reference(repository, tag), userName, password);
    }

    public Task<ClientRun> PullAsync(string repository, string tag, string? userName, string? password) =>
        Skopeo.PullAsync(registry.Reference(repository, tag), Path.Combine(_folder, Guid.NewGuid().ToString("N")), userName, password);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
