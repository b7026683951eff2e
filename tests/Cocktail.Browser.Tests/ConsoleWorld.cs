using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>Workspaces, service maps and workloads for console tests, made through the API as a script would.</summary>
internal static class ConsoleWorld
{
    public sealed record Map(string MapId, string Namespace);

    public sealed record Team(string WorkspaceId, string WorkspaceName, string MapId, string MapName, string Namespace);

    /// <summary>
    /// A workspace with one member, the cluster assigned (Shared) and a Ready service map. The map's quota is 2 cpu,
    /// 2Gi and 10 pods unless given; its name is made up unless given.
    /// </summary>
    public static async Task<Team> TeamAsync(CocktailApp app, Guid clusterId, TestUser member, string role = "Developer",
        string? mapName = null, object? quota = null, object? defaultLimits = null)
    {
        using var admin = await app.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var id = (string)(await SendAsync(admin, "/api/v1/workspaces", new { name }))["id"]!;
        await SendAsync(admin, $"/api/v1/workspaces/{id}/members", new { userId = member.Id, role });
        await SendAsync(admin, $"/api/v1/workspaces/{id}/clusters/{clusterId}",
            new { mode = "Shared", quota = new { cpu = "4", memory = "8Gi", gpu = "0", storage = "10Gi", pods = "20" } });
        mapName ??= $"map-{Guid.NewGuid():N}"[..10];
        var map = await SendAsync(admin, $"/api/v1/workspaces/{id}/service-maps",
            new { name = mapName, clusterId, quota = quota ?? new { cpu = "2", memory = "2Gi", pods = "10" }, defaultLimits });
        var mapId = (string)map["id"]!;
        var ready = await Eventually.GetAsync(async () => await admin.GetFromJsonAsync<JsonNode>($"/api/v1/service-maps/{mapId}"),
            m => (string?)m?["status"] == "Ready", because: "the service map to be Ready");
        return new Team(id, name, mapId, mapName, (string)ready!["namespace"]!);
    }

    public static async Task<(string WorkspaceId, Map Map)> ServiceMapAsync(CocktailApp app, Guid clusterId, TestUser member, string name)
    {
        var team = await TeamAsync(app, clusterId, member, mapName: name);
        return (team.WorkspaceId, new Map(team.MapId, team.Namespace));
    }

    /// <summary>A Deployment of two replicas with a Service, as the platform admin (the console itself is tried elsewhere).</summary>
    public static async Task<string> DeployAsync(CocktailApp app, string mapId, string name, int replicas = 2)
    {
        using var admin = await app.AsAdminAsync();
        var workload = await SendAsync(admin, $"/api/v1/service-maps/{mapId}/workloads", new
        {
            name, kind = "Deployment", replicas,
            containers = new[]
            {
                new
                {
                    name = "web", image = "registry.example.com/shop/web:1.0",
                    ports = new[] { new { containerPort = 8080, name = "http" } },
                    resources = new { requests = new { cpu = "50m", memory = "64Mi" }, limits = new { cpu = "100m", memory = "128Mi" } },
                },
            },
            service = new { type = "ClusterIP", ports = new[] { new { port = 80, targetPort = 8080 } } },
        });
        return (string)workload["id"]!;
    }

    /// <summary>The name of a running pod in the namespace, once the inventory has it.</summary>
    public static async Task<string> RunningPodAsync(CocktailApp app, Guid clusterId, string ns)
    {
        using var admin = await app.AsAdminAsync();
        var pods = await Eventually.GetAsync(async () => await admin.GetFromJsonAsync<JsonNode>($"/api/v1/clusters/{clusterId}/pods?namespace={ns}"),
            p => p?["items"]?.AsArray().Any(i => (string?)i!["phase"] == "Running" && (bool?)i["ready"] == true) == true,
            TimeSpan.FromSeconds(30), because: $"a running pod in {ns}");
        return pods!["items"]!.AsArray().Where(i => (string?)i!["phase"] == "Running").Select(i => (string)i!["name"]!).Order().First();
    }

    public static async Task<JsonNode> SendAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }
}
