using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Workloads;

/// <summary>Deploying needs what access tests need (quick probes, drift passes): the same app, an instance of its own.</summary>
[CollectionDefinition(Name)]
public sealed class WorkloadsCollection : ICollectionFixture<AccessApp>
{
    public const string Name = "workloads";
}

public static class Workloads
{
    public static object Web(string image = "registry.example.com/shop/web:1.0", int replicas = 2, string cpu = "100m") => new
    {
        name = "web", kind = "Deployment", replicas,
        containers = new[]
        {
            new
            {
                name = "web", image, command = new[] { "/app/web" }, args = new[] { "--port", "8080" },
                env = new[] { new { name = "MODE", value = "production" } },
                ports = new[] { new { containerPort = 8080, name = "http" } },
                resources = new { requests = new { cpu, memory = "64Mi" }, limits = new { cpu = "200m", memory = "128Mi" } },
                probes = new { readiness = new { httpPath = "/healthz", port = 8080 } },
            },
        },
        service = new { type = "ClusterIP", ports = new[] { new { port = 80, targetPort = 8080 } } },
        ingress = new { host = "shop.example.com", path = "/", servicePort = 80 },
    };

    public static async Task<JsonNode> DeployAsync(HttpClient client, string serviceMapId, object body)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/service-maps/{serviceMapId}/workloads", body);
        var created = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {created.ToJsonString()}");
        return created;
    }

    public static Task<JsonNode> WaitForRolloutAsync(HttpClient client, string workloadId, string status, int seconds = 30) =>
        ClusterApp.WaitForAsync(client, $"/api/v1/workloads/{workloadId}", w => (string?)w["rollout"] == status, $"rollout {status}", seconds);
}
