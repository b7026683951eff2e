namespace Cocktail.KubeSim;

/// <summary>Many simulated clusters in one process, started in parallel; each can still be stopped on its own.</summary>
public sealed class KubeSimFleet : IAsyncDisposable
{
    readonly List<KubeSimCluster> _clusters;

    KubeSimFleet(List<KubeSimCluster> clusters) => _clusters = clusters;

    public IReadOnlyList<KubeSimCluster> Clusters => _clusters;

    public static async Task<KubeSimFleet> StartAsync(int count, Func<int, KubeSimOptions> options, int parallelism = 8, CancellationToken cancellationToken = default)
    {
        var clusters = new KubeSimCluster[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (i, ct) => clusters[i] = await KubeSimCluster.StartAsync(options(i), ct));
        return new KubeSimFleet([.. clusters]);
    }

    /// <summary>Adds a cluster to the running fleet.</summary>
    public async Task<KubeSimCluster> AddAsync(KubeSimOptions options, CancellationToken cancellationToken = default)
    {
        var cluster = await KubeSimCluster.StartAsync(options, cancellationToken);
        lock (_clusters) _clusters.Add(cluster);
        return cluster;
    }

    /// <summary>Stops and removes one cluster.</summary>
    public async Task RemoveAsync(KubeSimCluster cluster)
    {
        lock (_clusters) _clusters.Remove(cluster);
        await cluster.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        KubeSimCluster[] all;
        lock (_clusters) all = [.. _clusters];
        await Parallel.ForEachAsync(all, async (c, _) => await c.DisposeAsync());
        lock (_clusters) _clusters.Clear();
    }
}
