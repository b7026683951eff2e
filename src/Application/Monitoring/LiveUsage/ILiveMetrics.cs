using Cocktail.Application.Clusters.Connecting;

namespace Cocktail.Application.Monitoring.LiveUsage;

/// <summary>What metrics-server measured of one node just now: CPU in millicores, memory in bytes.</summary>
public sealed record NodeUsage(string Name, long CpuMillis, long MemoryBytes, DateTimeOffset? At);

public sealed record PodUsage(string Namespace, string Name, long CpuMillis, long MemoryBytes, DateTimeOffset? At);

public enum LiveMetricsProblem { None, Unreachable, Refused, NotServed }

/// <summary>An answer from the cluster, or why there is none (a message safe to show).</summary>
public sealed record LiveAnswer<T>(T? Value, LiveMetricsProblem Problem, string? Message)
{
    public static LiveAnswer<T> Ok(T value) => new(value, LiveMetricsProblem.None, null);
}

/// <summary>
/// Reads "now" figures from a cluster through its registered credentials: metrics.k8s.io (metrics-server's NodeMetrics
/// and PodMetrics). Implemented over the shared cluster client in Infrastructure.
/// </summary>
public interface ILiveMetrics
{
    Task<LiveAnswer<IReadOnlyList<NodeUsage>>> NodesAsync(ClusterConnection cluster, CancellationToken ct);

    /// <summary>The pods of <paramref name="namespaces"/> only (one call per namespace), or of every namespace when null.</summary>
    Task<LiveAnswer<IReadOnlyList<PodUsage>>> PodsAsync(ClusterConnection cluster, IReadOnlyCollection<string>? namespaces, CancellationToken ct);
}
