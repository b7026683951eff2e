using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// Follows something on the clusters through the inventory: when a cluster's watch sees a change, that cluster is
/// observed (a burst of changes once, after <paramref name="coalesce"/>), and every watched cluster is observed again
/// each <paramref name="periodic"/>, so a lost notification delays an observation but never loses it. Runs where the
/// clusters are watched (only a synced cluster is observed), so each observation is made once across replicas.
/// </summary>
/// <param name="what">What is followed, for the log ("builds", "rollouts").</param>
public abstract class ClusterChangeFollower(InventoryNotifier notifier, InventorySupervisor supervisor, ILogger logger, string what,
    TimeSpan coalesce, TimeSpan periodic) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, byte> _dirty = new();
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Reads the cluster and records what changed; a failure is logged and the cluster observed again on its next change.</summary>
    protected abstract Task ObserveAsync(Guid clusterId, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(MarkDirty);
        var lastFull = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _signal.WaitAsync(periodic, stoppingToken);
            await Task.Delay(coalesce, stoppingToken);
            if (DateTimeOffset.UtcNow - lastFull >= periodic)
            {
                lastFull = DateTimeOffset.UtcNow;
                foreach (var id in supervisor.WatchedClusters) _dirty.TryAdd(id, 0);
            }
            foreach (var clusterId in _dirty.Keys)
            {
                _dirty.TryRemove(clusterId, out _);
                if (!supervisor.IsSynced(clusterId)) continue;
                try
                {
                    await ObserveAsync(clusterId, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Following the {What} on cluster {ClusterId} failed; trying again on its next change", what, clusterId);
                }
            }
        }
    }

    public void MarkDirty(Guid clusterId)
    {
        _dirty.TryAdd(clusterId, 0);
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }
}
