using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Monitoring.LiveUsage;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Inventory;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Monitoring;

/// <summary>
/// metrics.k8s.io, read with the cluster's shared client (<see cref="ClusterClientFactory"/>), so
/// its concurrency bound, retries and circuit breaker cover these calls too.
/// </summary>
public sealed class LiveMetrics(ClusterClientFactory clients) : ILiveMetrics
{
    public Task<LiveAnswer<IReadOnlyList<NodeUsage>>> NodesAsync(ClusterConnection cluster, CancellationToken ct) =>
        CallAsync<IReadOnlyList<NodeUsage>>(cluster, ct, async k =>
        {
            var nodes = await k.GetKubernetesNodesMetricsAsync().WaitAsync(ct);
            return nodes.Items.Select(n =>
            {
                var usage = InventoryMapping.Amounts(n.Usage);
                return new NodeUsage(n.Metadata.Name, usage.CpuMillis, usage.MemoryBytes, At(n.Timestamp));
            }).ToList();
        });

    public Task<LiveAnswer<IReadOnlyList<PodUsage>>> PodsAsync(ClusterConnection cluster, IReadOnlyCollection<string>? namespaces, CancellationToken ct) =>
        CallAsync<IReadOnlyList<PodUsage>>(cluster, ct, async k =>
        {
            var lists = namespaces is null
                ? [await k.GetKubernetesPodsMetricsAsync().WaitAsync(ct)]
                : await Task.WhenAll(namespaces.Select(ns => k.GetKubernetesPodsMetricsByNamespaceAsync(ns).WaitAsync(ct)));
            return lists.SelectMany(l => l.Items).Select(Pod).ToList();
        });

    private static PodUsage Pod(PodMetrics pod)
    {
        var usage = (pod.Containers ?? []).Aggregate(Application.Clusters.ObservingInventory.ResourceAmounts.None,
            (sum, c) => sum + InventoryMapping.Amounts(c.Usage));
        return new PodUsage(pod.Metadata.NamespaceProperty, pod.Metadata.Name, usage.CpuMillis, usage.MemoryBytes, At(pod.Timestamp));
    }

    private static DateTimeOffset? At(DateTime? timestamp) =>
        timestamp is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    /// <summary>
    /// A 404 (or the aggregated API's 503) from metrics.k8s.io means metrics-server is not there: not served, which is
    /// not the cluster being down. Everything else is classified as every cluster call is.
    /// </summary>
    private async Task<LiveAnswer<T>> CallAsync<T>(ClusterConnection cluster, CancellationToken ct, Func<IKubernetes, Task<T>> call)
    {
        using var lease = clients.Lease(cluster);
        try
        {
            return LiveAnswer<T>.Ok(await call(lease.Client));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
        {
            return new LiveAnswer<T>(default, LiveMetricsProblem.NotServed, $"the API server answered {(int)e.Response.StatusCode}");
        }
        catch (Exception e) when (ClusterCalls.Classify(e) is { } outcome && !ct.IsCancellationRequested)
        {
            return new LiveAnswer<T>(default, outcome.Result == ApplyResult.Unreachable ? LiveMetricsProblem.Unreachable : LiveMetricsProblem.Refused,
                outcome.Message);
        }
    }
}
