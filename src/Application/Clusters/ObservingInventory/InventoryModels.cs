namespace Cocktail.Application.Clusters.ObservingInventory;

/// <summary>The kinds of object Cocktail keeps a live inventory of, per cluster.</summary>
public enum InventoryKind { Node, Namespace, Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, Service, Ingress }

/// <summary>CPU in millicores, memory in bytes, GPUs (nvidia.com/gpu) and pods as counts.</summary>
public sealed record ResourceAmounts(long CpuMillis, long MemoryBytes, long Gpus, long Pods = 0)
{
    public static readonly ResourceAmounts None = new(0, 0, 0);
    public static ResourceAmounts operator +(ResourceAmounts a, ResourceAmounts b) =>
        new(a.CpuMillis + b.CpuMillis, a.MemoryBytes + b.MemoryBytes, a.Gpus + b.Gpus, a.Pods + b.Pods);
}

public sealed record NodeCondition(string Type, string Status, string? Reason, string? Message);
public sealed record NodeTaint(string Key, string? Value, string Effect);

public sealed record NodeInfo(
    string Name, bool Ready, bool Unschedulable, IReadOnlyList<string> Roles, string KubeletVersion,
    IReadOnlyList<NodeCondition> Conditions, IReadOnlyList<NodeTaint> Taints,
    ResourceAmounts Capacity, ResourceAmounts Allocatable, ResourceAmounts Requested, ResourceAmounts? Usage,
    IReadOnlyDictionary<string, string> Labels, DateTimeOffset? Created);

public sealed record NamespaceInfo(string Name, string Phase, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? Created);

public sealed record WorkloadInfo(
    InventoryKind Kind, string Namespace, string Name, int Desired, int Ready, int Available, int Updated,
    IReadOnlyList<string> Images, string Status, string? Message, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? Created);

public sealed record ContainerInfo(string Name, string Image, bool Ready, int Restarts, string State, string? Reason);

public sealed record PodInfo(
    string Namespace, string Name, string Phase, bool Ready, int Restarts, string? Node, string? OwnerKind, string? OwnerName,
    ResourceAmounts Requests, ResourceAmounts? Usage, IReadOnlyList<ContainerInfo> Containers, string? Reason,
    IReadOnlyDictionary<string, string> Labels, DateTimeOffset? Created);

public sealed record ServiceInfo(string Namespace, string Name, string Type, string? ClusterIp, IReadOnlyList<string> Ports,
    IReadOnlyDictionary<string, string> Selector, DateTimeOffset? Created);

public sealed record IngressInfo(string Namespace, string Name, string? ClassName, IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Backends, DateTimeOffset? Created);

/// <summary>
/// A Kubernetes event as the cluster reported it (core/v1 Events, Normal or Warning). <c>Name</c> is the Event
/// object's own name (null for events stored before it was kept).
/// </summary>
public sealed record KubeEventInfo(
    string Uid, string Type, string Reason, string Message, string Namespace, string InvolvedKind, string InvolvedName,
    int Count, DateTimeOffset? FirstSeen, DateTimeOffset LastSeen, string? Source, string? Name = null);

/// <summary>One cluster's live figures for the dashboard, kept current by the inventory.</summary>
public sealed record ClusterSummary(
    int NodesReady, int NodesTotal, int PodsRunning, int PodsTotal,
    ResourceAmounts Capacity, ResourceAmounts Allocatable, ResourceAmounts Requested, ResourceAmounts? Usage,
    int WarningEvents, DateTimeOffset? LastSyncAt)
{
    public static readonly ClusterSummary Empty = new(0, 0, 0, 0, ResourceAmounts.None, ResourceAmounts.None, ResourceAmounts.None, null, 0, null);
}

/// <summary><c>Namespaces</c>, when given, bounds the answer to those namespaces (a member's share of a shared cluster).</summary>
public sealed record InventoryFilter(string? Namespace = null, string? Search = null, string? Node = null, string? Phase = null,
    IReadOnlyCollection<string>? Namespaces = null);

public sealed record EventFilter(string? Type = null, string? Namespace = null, string? Object = null, IReadOnlyCollection<string>? Namespaces = null);

/// <summary>Reads the observed inventory (tables kept by the watchers in Infrastructure).</summary>
public interface IInventoryReader
{
    Task<IReadOnlyDictionary<Guid, ClusterSummary>> SummariesAsync(IReadOnlyCollection<Guid> clusterIds, CancellationToken ct);

    Task<Common.Page<T>> ListAsync<T>(Guid clusterId, IReadOnlyCollection<InventoryKind> kinds, InventoryFilter filter,
        int page, int pageSize, CancellationToken ct);

    Task<Common.Page<KubeEventInfo>> EventsAsync(Guid clusterId, EventFilter filter, int page, int pageSize, CancellationToken ct);
}

/// <summary>Lets the console follow a cluster live: raised (on every replica) when its inventory or health changed.</summary>
public interface IInventoryNotifications
{
    IDisposable Subscribe(Action<Guid> clusterChanged);
}

/// <summary>Tells the inventory (on whichever replica watches) that a cluster's connection was added, changed or removed.</summary>
public interface IInventoryControl
{
    Task ConnectionChangedAsync(Guid clusterId, CancellationToken ct);

    /// <summary>Tells live pages on every replica that a cluster's own details (region, labels) changed.</summary>
    Task DetailsChangedAsync(Guid clusterId, CancellationToken ct);
}
