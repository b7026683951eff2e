using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>KubernetesClient entry points Cocktail uses beyond the typed CRUD calls.</summary>
[Collection(ContractCollection.Name)]
public sealed class ClientLibraryContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    [Fact]
    public async Task the_generic_client_creates_lists_and_reads_objects()
    {
        var ns = await cluster.NewNamespaceAsync("generic");
        using var configMaps = new GenericClient(Client, "", "v1", "configmaps", disposeClient: false);
        await configMaps.CreateNamespacedAsync(Manifests.ConfigMap("via-generic"), ns);
        var list = await configMaps.ListNamespacedAsync<V1ConfigMapList>(ns);
        Assert.Contains(list.Items, c => c.Metadata.Name == "via-generic");
        var read = await configMaps.ReadNamespacedAsync<V1ConfigMap>(ns, "via-generic");
        Assert.Equal("value", read.Data["key"]);
    }

    [SkippableFact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_followed_log_stream_keeps_delivering_lines()
    {
        // Log content and pace are the simulator's (one line per second); a real container logs what it logs.
        Skip.IfNot(cluster.IsSimulator, "simulator-only log generation");
        var ns = await cluster.NewNamespaceAsync("follow");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("chatty"), ns);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedPodAsync("chatty", ns)).Status?.Phase == "Running");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("chatty", ns, follow: true, cancellationToken: timeout.Token);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (lines.Count < 3 && await reader.ReadLineAsync(timeout.Token) is { } line) lines.Add(line);
        Assert.Equal(3, lines.Count);
        Assert.EndsWith("line=2", lines[2]);
    }
}
