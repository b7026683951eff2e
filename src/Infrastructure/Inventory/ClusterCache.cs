using System.Collections.Concurrent;
using Cocktail.Application.Clusters.Inventory;
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

    public ResourceAmounts RequestedOn(string node) =>
        Pods.Values.Where(p => p.Node == node && !InventoryMapping.IsTerminated(p))
            .Aggregate(ResourceAmounts.None, (total, p) => total + p.Requests);

    public NodeInfo NodeInfo(V1Node node) =>
        InventoryMapping.Node(node, RequestedOn(node.Metadata.Name),
            MetricsAvailable && NodeUsage.TryGetValue(node.Metadata.Name, out var usage) ? usage : null);

    public ClusterSummary Summary(DateTimeOffset now)
    {
        var nodes = Nodes.Values.Select(NodeInfo).ToList();
        var pods = Pods.Values.ToList();
        var hourAgo = now.AddHours(-1);
        return new ClusterSummary(
            NodesReady: nodes.Count(n => n.Ready),
            NodesTotal: nodes.Count,
            PodsRunning: pods.Count(p => p.Phase == "Running"),
            PodsTotal: pods.Count,
            Capacity: nodes.Aggregate(ResourceAmounts.None, (t, n) => t + n.Capacity),
            Allocatable: nodes.Aggregate(ResourceAmounts.None, (t, n) => t + n.Allocatable),
            Requested: pods.Where(p => !InventoryMapping.IsTerminated(p)).Aggregate(ResourceAmounts.None, (t, p) => t + p.Requests),
            Usage: MetricsAvailable ? NodeUsage.Values.Aggregate(ResourceAmounts.None, (t, u) => t + u) : null,
            WarningEvents: Events.Values.Count(e => e.Type == "Warning" && e.LastSeen >= hourAgo),
            LastSyncAt: now);
    }
}
