using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using k8s;

namespace Cocktail.Benchmarks;

/// <summary>The Cocktail API calls every benchmark makes to set itself up.</summary>
public static class BenchApi
{
    /// <summary>POSTs <paramref name="body"/> as JSON and returns the answer's JSON; anything but 2xx throws, with the answer.</summary>
    public static async Task<JsonNode> PostAsync(HttpClient client, string path, object body, CancellationToken ct = default)
    {
        var response = await client.PostAsJsonAsync(path, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Registers a cluster through POST /api/v1/clusters (provider Other, region bench) and returns its id.</summary>
    public static async Task<string> RegisterClusterAsync(HttpClient admin, string name, string kubeconfig, CancellationToken ct = default) =>
        (string)(await PostAsync(admin, "/api/v1/clusters", new { name, provider = "Other", region = "bench", kubeconfig }, ct))["cluster"]!["id"]!;

    /// <summary>Registers a simulated cluster with its admin kubeconfig and returns its id.</summary>
    public static Task<string> RegisterClusterAsync(HttpClient admin, KubeSimCluster sim, CancellationToken ct = default) =>
        RegisterClusterAsync(admin, sim.Name, sim.AdminKubeconfigYaml, ct);

    /// <summary>The bearer token of a kubeconfig: the value of its first <c>token:</c> line.</summary>
    public static string TokenOf(string kubeconfig) =>
        kubeconfig.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("token:"))["token:".Length..].Trim();

    /// <summary>A KubernetesClient for a kubeconfig, as the ceilings talk to a cluster with nothing of Cocktail in between.</summary>
    public static IKubernetes KubernetesClient(string kubeconfig)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }
}
