using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.Testing;
using k8s;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>Cocktail with quick health probes and a quick drift pass.</summary>
public sealed class TenancyApp : CocktailApp
{
    /// <summary>The registry's notification secret, so the matrix can give workspace A a repository.</summary>
    public static readonly string RegistryNotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public TenancyApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", RegistryNotificationSecret);
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:05");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        // Builds queue against a registry address; nothing listens there (the matrix only reads and refuses).
        WithSetting("Cocktail:Registry:Address", "127.0.0.1:9");
        WithSetting("Cocktail:Registry:ApiUrl", "http://127.0.0.1:9/");
        WithServices(Builds.RecordingRobots.AddIfMissing);
    }
}

[CollectionDefinition(Name)]
public sealed class TenancyCollection : ICollectionFixture<TenancyApp>
{
    public const string Name = "tenancy";
}

/// <summary>A workspace on a simulated cluster, with an admin, a developer and a viewer, set up through the API.</summary>
public sealed class Tenancy : IAsyncDisposable
{
    public required KubeSimCluster Sim { get; init; }
    public required HttpClient Admin { get; init; }
    public required string ClusterId { get; init; }
    public required string WorkspaceId { get; init; }
    public required string WorkspaceName { get; init; }
    public required TestUser WorkspaceAdmin { get; init; }
    public required TestUser Developer { get; init; }
    public required TestUser Viewer { get; init; }

    public static async Task<Tenancy> CreateAsync(CocktailApp app, object? quota = null, string mode = "Shared", KubeSimCluster? sim = null,
        string? clusterId = null)
    {
        sim ??= await ClusterApp.StartClusterAsync(nodes: 2);
        var admin = await app.AsAdminAsync();
        clusterId ??= (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspace = await (await admin.PostAsJsonAsync("/api/v1/workspaces", new { name, description = "Team", color = "#336699" })).BodyAsync();
        var id = (string)workspace["id"]!;
        var wsAdmin = await app.CreateUserAsync();
        var developer = await app.CreateUserAsync();
        var viewer = await app.CreateUserAsync();
        foreach (var (user, role) in new[] { (wsAdmin, "WorkspaceAdmin"), (developer, "Developer"), (viewer, "Viewer") })
            Ensure(await admin.PostAsJsonAsync($"/api/v1/workspaces/{id}/members", new { userId = user.Id, role }));
        Ensure(await admin.PostAsJsonAsync($"/api/v1/workspaces/{id}/clusters/{clusterId}",
            new { mode, quota = quota ?? new { cpu = "4", memory = "8Gi", gpu = "1", storage = "50Gi", pods = "40" } }));
        return new Tenancy
        {
            Sim = sim, Admin = admin, ClusterId = clusterId, WorkspaceId = id, WorkspaceName = name,
            WorkspaceAdmin = wsAdmin, Developer = developer, Viewer = viewer,
        };
    }

    public async Task<JsonNode> CreateServiceMapAsync(HttpClient as_, string name, object? quota = null, string podSecurity = "baseline",
        object? defaultLimits = null)
    {
        var response = await as_.PostAsJsonAsync($"/api/v1/workspaces/{WorkspaceId}/service-maps", new
        {
            name, clusterId = ClusterId, @namespace = name,
            quota = quota ?? new { cpu = "1", memory = "2Gi", gpu = "0", storage = "10Gi", pods = "10" },
            defaultLimits = defaultLimits ?? new { cpu = "500m", memory = "256Mi" }, podSecurity,
        });
        var body = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    public Task<JsonNode> WaitForStatusAsync(string serviceMapId, string status, int seconds = 20) =>
        ClusterApp.WaitForAsync(Admin, $"/api/v1/service-maps/{serviceMapId}", m => (string?)m["status"] == status, $"service map {status}", seconds);

    /// <summary>The cluster's own API, as its admin: to look at what Cocktail made, or to change it by hand.</summary>
    public IKubernetes Kube() =>
        new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(Sim.AdminKubeconfigYaml))));

    private static void Ensure(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Sim.DisposeAsync();
    }
}
