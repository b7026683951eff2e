using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Clusters;

/// <summary>Cocktail with quick health probes, so that tests see transitions in seconds.</summary>
public sealed class ClusterApp : CocktailApp
{
    public ClusterApp()
    {
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Inventory:WatchFailureGrace", "00:00:02");
        WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:05");
        WithSetting("Cocktail:Inventory:BackoffMax", "00:00:02");
    }

    public static async Task<KubeSimCluster> StartClusterAsync(int nodes = 2, int pods = 0) =>
        await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"sim-{Guid.NewGuid():N}"[..12], Nodes = nodes, SeedPods = pods });

    public static async Task<JsonNode> RegisterAsync(HttpClient admin, KubeSimCluster cluster, string? name = null, string provider = "BareMetal")
    {
        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = name ?? cluster.Name,
            provider,
            region = "lab",
            labels = new Dictionary<string, string> { ["env"] = "test" },
            kubeconfig = cluster.AdminKubeconfigYaml,
        });
        var body = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Registration failed: {(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    public static Task<JsonNode> WaitForAsync(HttpClient client, string url, Func<JsonNode, bool> until, string because, int seconds = 20) =>
        Eventually.GetAsync(async () => await (await client.GetAsync(url)).BodyAsync(), until, TimeSpan.FromSeconds(seconds), because);
}

[CollectionDefinition(Name)]
public sealed class ClustersCollection : ICollectionFixture<ClusterApp>
{
    public const string Name = "clusters";
}
