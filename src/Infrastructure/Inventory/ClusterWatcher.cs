using System.Diagnostics;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Domain.Clusters;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>What a cluster watcher concluded about its cluster, for the supervisor to record on change.</summary>
internal sealed record HealthObservation(Guid ClusterId, ClusterHealth Health, string? Detail, string? Version);

/// <summary>
/// Keeps one cluster's inventory live (a list and watch per kind), its figures current, and judges its health from
/// regular version probes and the state of its watches.
/// </summary>
internal sealed class ClusterWatcher : IAsyncDisposable
{
    private readonly Guid _clusterId;
    private readonly ClusterConnection _connection;
    private readonly InventoryWriter _writer;
    private readonly InventoryOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Func<HealthObservation, Task> _report;
    private readonly ClusterLease _lease;
    private readonly IKubernetes _client;
    private readonly ClusterCache _cache = new();
    private readonly List<WatchState> _watches = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _probeNow = new(0, 1);
    private readonly SemaphoreSlim _listSlots;
    private readonly List<Task> _tasks = [];

    public ClusterWatcher(Guid clusterId, ClusterConnection connection, ClusterClientFactory clients, InventoryWriter writer,
        InventoryOptions options, TimeProvider clock, ILogger logger, Func<HealthObservation, Task> report, SemaphoreSlim listSlots)
    {
        _listSlots = listSlots;
        _clusterId = clusterId;
        _connection = connection;
        _writer = writer;
        _options = options;
        _clock = clock;
        _logger = logger;
        _report = report;
        // The cluster's one client: lists and metrics go through its resilience pipeline, watches stream past it.
        _lease = clients.Lease(connection);
        _client = _lease.Client;
    }

    public ClusterConnection Connection => _connection;

    /// <summary>True once every kind has been listed at least once.</summary>
    public bool Synced => _watches.Count > 0 && _watches.All(w => w.Synced);

    public long Relists => _watches.Sum(w => w.Relists);

    public void Start()
    {
        var ct = _stop.Token;
        Watch(WatchedResources.Nodes, NodesListed, NodeChanged, ct);
        Watch(WatchedResources.Pods, PodsListed, PodChanged, ct);
        Watch(WatchedResources.Namespaces, Simple<V1Namespace>(InventoryKind.Namespace, InventoryMapping.Namespace), SimpleChange<V1Namespace>(InventoryKind.Namespace, InventoryMapping.Namespace), ct);
        Watch(WatchedResources.Deployments, Simple<V1Deployment>(InventoryKind.Deployment, InventoryMapping.Deployment), SimpleChange<V1Deployment>(InventoryKind.Deployment, InventoryMapping.Deployment), ct);
        Watch(WatchedResources.StatefulSets, Simple<V1StatefulSet>(InventoryKind.StatefulSet, InventoryMapping.StatefulSet), SimpleChange<V1StatefulSet>(InventoryKind.StatefulSet, InventoryMapping.StatefulSet), ct);
        Watch(WatchedResources.DaemonSets, Simple<V1DaemonSet>(InventoryKind.DaemonSet, InventoryMapping.DaemonSet), SimpleChange<V1DaemonSet>(InventoryKind.DaemonSet, InventoryMapping.DaemonSet), ct);
        Watch(WatchedResources.Jobs, Simple<V1Job>(InventoryKind.Job, InventoryMapping.Job), SimpleChange<V1Job>(InventoryKind.Job, InventoryMapping.Job), ct);
        Watch(WatchedResources.CronJobs, Simple<V1CronJob>(InventoryKind.CronJob, InventoryMapping.CronJob), SimpleChange<V1CronJob>(InventoryKind.CronJob, InventoryMapping.CronJob), ct);
        Watch(WatchedResources.Services, Simple<V1Service>(InventoryKind.Service, InventoryMapping.Service), SimpleChange<V1Service>(InventoryKind.Service, InventoryMapping.Service), ct);
        Watch(WatchedResources.Ingresses, Simple<V1Ingress>(InventoryKind.Ingress, InventoryMapping.Ingress), SimpleChange<V1Ingress>(InventoryKind.Ingress, InventoryMapping.Ingress), ct);
        Watch(WatchedResources.Events, EventsListed, EventChanged, ct);
        _tasks.Add(Loop(ProbeAsync, ct));
        _tasks.Add(Loop(SummarizeAsync, ct));
        _tasks.Add(Loop(PollMetricsAsync, ct));
    }

    private void Watch<T, TList>(WatchedResource<T, TList> resource, Action<IReadOnlyList<T>> listed, Action<WatchEventType, T> changed,
        CancellationToken ct)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var state = new WatchState { Resource = resource.Name };
        _watches.Add(state);
        var watch = new ResourceWatch<T, TList>(resource, _client, listed, changed, state, _options, _clock, ProbeSoon, _listSlots, _logger);
        _tasks.Add(Task.Run(() => watch.RunAsync(ct), ct));
    }

    // --- objects ------------------------------------------------------------------------------------------------

    private Action<IReadOnlyList<T>> Simple<T>(InventoryKind kind, Func<T, object> map) where T : IKubernetesObject<V1ObjectMeta> =>
        items =>
        {
            foreach (var item in items) Upsert(kind, item, map(item));
            KeepOnly(kind, items);
        };

    private Action<WatchEventType, T> SimpleChange<T>(InventoryKind kind, Func<T, object> map) where T : IKubernetesObject<V1ObjectMeta> =>
        (type, item) =>
        {
            if (type == WatchEventType.Deleted) Delete(kind, item);
            else Upsert(kind, item, map(item));
        };

    private void NodesListed(IReadOnlyList<V1Node> nodes)
    {
        _cache.Nodes.Clear();
        _cache.WrittenNodes.Clear();
        foreach (var node in nodes) _cache.Nodes[node.Metadata.Name] = node;
        foreach (var node in nodes) WriteNode(node);
        KeepOnly(InventoryKind.Node, nodes);
        _cache.MarkDirty();
    }

    private void NodeChanged(WatchEventType type, V1Node node)
    {
        if (type == WatchEventType.Deleted)
        {
            _cache.Nodes.TryRemove(node.Metadata.Name, out _);
            _cache.WrittenNodes.TryRemove(node.Metadata.Name, out _);
            Delete(InventoryKind.Node, node);
        }
        else
        {
            _cache.Nodes[node.Metadata.Name] = node;
            WriteNode(node);
        }
        _cache.MarkDirty();
    }

    private void WriteNode(V1Node node)
    {
        var info = _cache.NodeInfo(node);
        _cache.WrittenNodes[node.Metadata.Name] = info;
        Upsert(InventoryKind.Node, node, info);
    }

    private void PodsListed(IReadOnlyList<V1Pod> pods)
    {
        _cache.Pods.Clear();
        foreach (var pod in pods)
        {
            var info = InventoryMapping.Pod(pod, null);
            _cache.Pods[InventoryKeys.Of(info.Namespace, info.Name)] = info;
            Upsert(InventoryKind.Pod, pod, info);
        }
        KeepOnly(InventoryKind.Pod, pods);
        _cache.MarkDirty();
    }

    private void PodChanged(WatchEventType type, V1Pod pod)
    {
        var key = InventoryKeys.Of(pod.Metadata.NamespaceProperty ?? "", pod.Metadata.Name);
        if (type == WatchEventType.Deleted)
        {
            _cache.Pods.TryRemove(key, out _);
            Delete(InventoryKind.Pod, pod);
        }
        else
        {
            var info = InventoryMapping.Pod(pod, null);
            _cache.Pods[key] = info;
            Upsert(InventoryKind.Pod, pod, info);
        }
        _cache.MarkDirty();
    }

    private void EventsListed(IReadOnlyList<Corev1Event> events)
    {
        foreach (var e in events) EventChanged(WatchEventType.Added, e);
    }

    private void EventChanged(WatchEventType type, Corev1Event e)
    {
        if (type == WatchEventType.Deleted) return; // the cluster expires events; Cocktail keeps them for its own retention
        var info = InventoryMapping.Event(e);
        _cache.Events[info.Uid] = (info.Type, info.LastSeen);
        _writer.Enqueue(new UpsertEvent(_clusterId, info));
        if (info.Type == "Warning") _cache.MarkDirty();
    }

    private void Upsert<T>(InventoryKind kind, T item, object data) where T : IKubernetesObject<V1ObjectMeta> =>
        _writer.Enqueue(new UpsertObject(_clusterId, kind, item.Metadata.NamespaceProperty ?? "", item.Metadata.Name,
            item.Metadata.ResourceVersion, data));

    private void Delete<T>(InventoryKind kind, T item) where T : IKubernetesObject<V1ObjectMeta> =>
        _writer.Enqueue(new DeleteObject(_clusterId, kind, item.Metadata.NamespaceProperty ?? "", item.Metadata.Name));

    private void KeepOnly<T>(InventoryKind kind, IReadOnlyList<T> items) where T : IKubernetesObject<V1ObjectMeta> =>
        _writer.Enqueue(new KeepOnly(_clusterId, kind,
            items.Select(i => InventoryKeys.Of(i.Metadata.NamespaceProperty ?? "", i.Metadata.Name)).ToList()));

    // --- health, figures, metrics -------------------------------------------------------------------------------

    private int _failedProbes;
    private int _slowProbes;

    private void ProbeSoon()
    {
        if (_probeNow.CurrentCount == 0) _probeNow.Release();
    }

    private async Task ProbeAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var version = await MeasureVersionAsync(ct);
            watch.Stop();
            var backAfterOutage = _failedProbes > 0;
            if (backAfterOutage)
                foreach (var resource in _watches) resource.RetryNow(); // back after an outage: watch again at once
            _failedProbes = 0;
            _slowProbes = watch.Elapsed > _options.DegradedLatency ? _slowProbes + 1 : 0;
            var now = _clock.GetUtcNow();
            // The watches failed with the outage and were only just asked to reconnect: judge them from the next probe on,
            // or a cluster that is back would be reported Degraded for failures that are already over.
            List<WatchState> failing = backAfterOutage ? [] : _watches.Where(w => w.FailingSince is { } since && now - since > _options.WatchFailureGrace).ToList();
            var (health, detail) = failing.Count > 0
                ? (ClusterHealth.Degraded, $"Watching {string.Join(", ", failing.Select(w => w.Resource))} fails: {failing[0].LastError}")
                : _slowProbes >= _options.DegradedAfter
                    ? (ClusterHealth.Degraded, $"The API server answers slowly ({watch.Elapsed.TotalSeconds:0.0} s).")
                    : (ClusterHealth.Connected, null);
            await _report(new HealthObservation(_clusterId, health, detail, version.GitVersion));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (++_failedProbes >= _options.UnreachableAfter)
                await _report(new HealthObservation(_clusterId, ClusterHealth.Unreachable,
                    ConnectionErrors.Describe(e, _connection.Server).Message, null));
        }
        // Wait for the next round, or sooner when a watch has just lost its connection.
        await _probeNow.WaitAsync(_options.ProbeInterval, ct);
    }

    /// <summary>
    /// The probe measures the cluster as it answers now: one attempt within the probe timeout, not queued behind the
    /// cluster's other requests, no retry, and past an open circuit (or a cluster that is back would not be seen).
    /// </summary>
    private async Task<VersionInfo> MeasureVersionAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ProbeTimeout);
        using (ResilientClusterCalls.Measure())
            return await _client.Version.GetCodeAsync(timeout.Token);
    }

    private async Task SummarizeAsync(CancellationToken ct)
    {
        // Not before nodes and pods have been listed once: a summary from half a list said "0 nodes" with a sync time
        // (seen: a freshly registered cluster's fleet row). The other kinds only add to it as they arrive.
        if (_watches.Where(w => w.Resource == WatchedResources.Nodes.Name || w.Resource == WatchedResources.Pods.Name).All(w => w.Synced) && _cache.TakeDirty())
        {
            // Requests per node change with every pod; rewrite only the nodes whose figures moved.
            var nodes = _cache.NodeInfos();
            foreach (var info in nodes)
            {
                if (!_cache.WrittenNodes.TryGetValue(info.Name, out var written) || written.Requested != info.Requested || written.Usage != info.Usage)
                {
                    _cache.WrittenNodes[info.Name] = info;
                    if (_cache.Nodes.TryGetValue(info.Name, out var node)) Upsert(InventoryKind.Node, node, info);
                }
            }
            _writer.Enqueue(new UpsertSummary(_clusterId, _cache.Summary(_clock.GetUtcNow(), nodes)));
        }
        await Task.Delay(_options.SummaryInterval, ct);
    }

    /// <summary>metrics.k8s.io has no watch; where it answers, usage is read every metrics interval.</summary>
    private async Task PollMetricsAsync(CancellationToken ct)
    {
        try
        {
            var metrics = await _client.GetKubernetesNodesMetricsAsync();
            foreach (var item in metrics.Items)
                _cache.NodeUsage[item.Metadata.Name] = InventoryMapping.Amounts(item.Usage);
            _cache.MetricsAvailable = true;
            _cache.MarkDirty();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (_cache.MetricsAvailable) _cache.MarkDirty();
            _cache.MetricsAvailable = false;
            _logger.LogDebug(e, "metrics.k8s.io does not answer for {Server}", _connection.Server);
        }
        await Task.Delay(_options.MetricsInterval, ct);
    }

    private Task Loop(Func<CancellationToken, Task> step, CancellationToken ct) => Task.Run(async () =>
    {
        while (!ct.IsCancellationRequested)
        {
            try { await step(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Cluster watcher step failed for {Server}", _connection.Server);
                await Task.Delay(_options.BackoffMin, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }, ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Task.WhenAll(_tasks); }
        catch (OperationCanceledException) { }
        _lease.Dispose();
        _stop.Dispose();
    }
}
