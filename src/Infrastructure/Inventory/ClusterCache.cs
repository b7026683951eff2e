using System.Collections.Concurrent;
using Cocktail.Application.Clusters.ObservingInventory;
using k8s.Models;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// What the watcher needs in memory to compute the figures the cluster's objects do not carry themselves: requests
/// per node, usage from metrics, and recent warnings.
/// </summary>
internal sealed class ClusterCache
{
    public ConcurrentDictionary<string, V1Node> Nodes { get; } = new();
    public ConcurrentDictionary<string, PodInfo> Pods { get; } = new();
    public ConcurrentDictionary<string, (string Type, DateTimeOffset LastSeen)> Events { get; } = new();
    public ConcurrentDictionary<string, ResourceAmounts> NodeUsage { get; } = new();
    public ConcurrentDictionary<string, NodeInfo> WrittenNodes { get; } = new();
    public bool MetricsAvailable { get; set; }

    private int _dirty = 1;
    public void MarkDirty() => Interlocked.Exchange(ref _dirty, 1);
    public bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) == 1;

    public NodeInfo NodeInfo(V1Node node) =>
        NodeInfo(node, Pods.Values.Where(p => p.Node == node.Metadata.Name && !InventoryMapping.IsTerminated(p))
            .Aggregate(ResourceAmounts.None, (total, p) => total + p.Requests));

    /// <summary>Every node's figures, the pods' requests summed in one pass over the pods.</summary>
    public List<NodeInfo> NodeInfos()
    {
        var requested = new Dictionary<string, ResourceAmounts>();
        foreach (var pod in Pods.Values)
            if (pod.Node is { } node && !InventoryMapping.IsTerminated(pod))
                requested[node] = requested.GetValueOrDefault(node, ResourceAmounts.None) + pod.Requests;
        return Nodes.Values.Select(n => NodeInfo(n, requested.GetValueOrDefault(n.Metadata.Name, ResourceAmounts.None))).ToList();
    }

    private NodeInfo NodeInfo(V1Node node, ResourceAmounts requested) =>
        InventoryMapping.Node(node, requested, MetricsAvailable && NodeUsage.TryGetValue(node.Metadata.Name, out var usage) ? usage : null);

    public ClusterSummary Summary(DateTimeOffset now, IReadOnlyCollection<NodeInfo> nodes)
    {
        var pods = Pods.Values.ToList();
        var hourAgo = now.AddHours(-1);
        // Only the last hour's warnings are counted: forget older events, or a busy cluster's would pile up here.
        foreach (var (uid, e) in Events)
            if (e.LastSeen < hourAgo) Events.TryRemove(uid, out _);
        return new ClusterSummary(
            NodesReady: nodes.Count(n => n.Ready),
            NodesTotal: nodes.Count,
            PodsRunning: pods.Count(p => p.Phase == "Running"),
            PodsTotal: pods.Count,
            Capacity: nodes.Aggregate(ResourceAmounts.None, (t, n) => t + n.Capacity),
            Allocatable: nodes.Aggregate(ResourceAmounts.None, (t, n) => t + n.Allocatable),
            Requested: pods.Where(p => !InventoryMapping.IsTerminated(p)).Aggregate(ResourceAmounts.None, (t, p) => t + p.Requests),
            Usage: MetricsAvailable ? NodeUsage.Values.Aggregate(ResourceAmounts.None, (t, u) => t + u) : null,
            WarningEvents: Events.Values.Count(e => e.Type == "Warning"),
            LastSyncAt: now);
    }
}
