using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The workload clusters a management cluster's simulated Cluster API provisioned, each a full KubeSim cluster in the
/// same process. Starting is asynchronous: the controller asks, and is queued again once the cluster is up. A cluster
/// starts "not answering" (its endpoint refuses connections, as a load balancer in front of no API server does) and
/// answers once its control plane is initialized.
/// </summary>
internal sealed class WorkloadClusters : IAsyncDisposable
{
    sealed class Entry
    {
        public required string Uid;
        public KubeSimCluster? Cluster;
        public bool Answering;
        public bool Resuming;
    }

    readonly Lock _gate = new();
    readonly Dictionary<string, Entry> _entries = [];
    readonly List<Task> _stopping = [];
    bool _disposed;

    /// <summary>The started clusters by "namespace/name" of their Cluster object.</summary>
    public IReadOnlyDictionary<string, KubeSimCluster> Running
    {
        get
        {
            lock (_gate) return _entries.Where(e => e.Value.Cluster is not null).ToDictionary(e => e.Key, e => e.Value.Cluster!);
        }
    }

    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>The started cluster for the Cluster with <paramref name="uid"/>, or null while it starts (then <paramref name="started"/> runs).</summary>
    public KubeSimCluster? Ensure(string key, string uid, KubeSimOptions options, Action started)
    {
        lock (_gate)
        {
            if (_disposed) return null;
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.Uid == uid) return existing.Cluster;
                StopLocked(key); // a Cluster re-created under the same name gets a new cluster
            }
            var entry = new Entry { Uid = uid };
            _entries[key] = entry;
            _ = StartAsync(key, entry, options, started);
            return null;
        }
    }

    async Task StartAsync(string key, Entry entry, KubeSimOptions options, Action started)
    {
        try
        {
            var cluster = await KubeSimCluster.StartAsync(options);
            // Until the control plane is initialized the endpoint refuses connections.
            await cluster.Faults.StopAnsweringAsync();
            bool keep;
            lock (_gate)
            {
                keep = !_disposed && _entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry);
                if (keep) entry.Cluster = cluster;
            }
            if (!keep) { await cluster.DisposeAsync(); return; }
            started();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"kubesim: workload cluster {key} failed to start: {e.Message}");
            lock (_gate) if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry)) _entries.Remove(key);
        }
    }

    /// <summary>Whether the cluster answers; if not yet, starts answering and runs <paramref name="answering"/> once it does.</summary>
    public bool EnsureAnswering(string key, Action answering)
    {
        KubeSimCluster cluster;
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || entry.Cluster is null) return false;
            if (entry.Answering) return true;
            if (entry.Resuming) return false;
            entry.Resuming = true;
            cluster = entry.Cluster;
        }
        _ = ResumeAsync(cluster, entry, answering);
        return false;
    }

    async Task ResumeAsync(KubeSimCluster cluster, Entry entry, Action answering)
    {
        try
        {
            await cluster.Faults.ResumeAsync();
            lock (_gate) { entry.Answering = true; entry.Resuming = false; }
            answering();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate) entry.Resuming = false;
            Console.Error.WriteLine($"kubesim: workload cluster {cluster.Name} failed to answer: {e.Message}");
        }
    }

    public KubeSimCluster? Get(string key)
    {
        lock (_gate) return _entries.TryGetValue(key, out var e) ? e.Cluster : null;
    }

    public bool IsAnswering(string key)
    {
        lock (_gate) return _entries.TryGetValue(key, out var e) && e.Answering;
    }

    public bool Exists(string key)
    {
        lock (_gate) return _entries.ContainsKey(key);
    }

    /// <summary>Stops the cluster (its endpoint refuses connections from now on) and forgets it.</summary>
    public void Stop(string key)
    {
        lock (_gate) StopLocked(key);
    }

    void StopLocked(string key)
    {
        if (!_entries.Remove(key, out var entry) || entry.Cluster is null) return;
        _stopping.RemoveAll(t => t.IsCompleted);
        _stopping.Add(entry.Cluster.DisposeAsync().AsTask());
    }

    /// <summary>Adds (or keeps) a node registered by its kubelet at <paramref name="version"/>, as a joining machine does.</summary>
    public static JsonObject EnsureNode(KubeSimCluster cluster, string name, string version, IReadOnlyDictionary<string, string> annotations,
        IReadOnlyDictionary<string, string> labels, string now)
    {
        var existing = cluster.Objects.Get("v1", "Node", name);
        if (existing is not null) return existing;
        var index = cluster.Objects.List("v1", "Node").Count;
        var node = NodeController.NodeObject(name, index % 250, cluster.Options.NodeShape, now, version);
        var meta = node.Obj("metadata");
        foreach (var (k, v) in labels) meta.Obj("labels")[k] = v;
        foreach (var (k, v) in annotations) meta.Obj("annotations")[k] = v;
        node["apiVersion"] = "v1";
        node["kind"] = "Node";
        var created = cluster.Objects.Create(node);
        var lease = new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = "kube-node-lease",
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = name, ["uid"] = created.Uid() }),
            },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = name, ["leaseDurationSeconds"] = 40,
                ["renewTime"] = ObjectMetadata.MicroTimestamp(DateTimeOffset.UtcNow),
            },
        };
        try { cluster.Objects.Create(lease); } catch (Http.ApiException) { /* a lease left from an earlier node of that name */ }
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> stopping;
        lock (_gate)
        {
            _disposed = true;
            foreach (var key in _entries.Keys.ToList()) StopLocked(key);
            stopping = [.. _stopping];
        }
        try { await Task.WhenAll(stopping); } catch (Exception e) when (e is not OutOfMemoryException) { /* best effort on shutdown */ }
    }
}
