using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Provisioning.Reconciling;
using Cocktail.Domain.Provisioning;
using Cocktail.Infrastructure.Kubernetes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;
using static Cocktail.Infrastructure.Provisioning.ObservationTranslator;

namespace Cocktail.Infrastructure.Provisioning;

public sealed class ProvisioningOptions
{
    public const string Section = "Cocktail:Provisioning";

    public bool Enabled { get; set; } = true;

    /// <summary>Every followed cluster is observed again this often, so a change missed across a restart is found.</summary>
    public TimeSpan Resync { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the list of provisioned clusters (and so of management clusters to watch) is read again.</summary>
    public TimeSpan TargetsInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan LeadershipInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Observations running at once (each a few reads on its management cluster and one append).</summary>
    public int Observers { get; set; } = 16;
}

/// <summary>
/// Follows every provisioned cluster that is not deleted by watching its management cluster's Cluster API objects:
/// one watch per management cluster and kind (Cluster, the control planes, MachineDeployment, MachinePool, Machine,
/// and the Secrets Cluster API labels with a cluster's name), not one per provisioned cluster. A change to one of a
/// cluster's objects observes that cluster (<see cref="ObserveProvisionedCluster"/>, run here at once); its
/// kubeconfig Secret appearing registers it (<see cref="RegisterProvisionedCluster"/>, through the durable queue).
/// Every cluster is also observed each <see cref="ProvisioningOptions.Resync"/>, so nothing is missed across restarts
/// or a dropped watch. Runs on one replica: the holder of a PostgreSQL advisory lock, as the inventory does.
/// </summary>
public sealed class ProvisioningFollower(
    NpgsqlDataSource dataSource, IDocumentStore store, IServiceScopeFactory scopes, ClusterClientFactory clients, ICredentialVault vault,
    IOptions<ProvisioningOptions> options, IHostApplicationLifetime lifetime, ILogger<ProvisioningFollower> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x636170692d666f6c; // "capi-fol"

    /// <summary>The kinds whose changes say something about a provisioned cluster, in Cluster API's groups.</summary>
    private static readonly (string Kind, string Group)[] WatchedKinds =
    [
        ("Cluster", ClusterApiGateway.ClusterGroup), ("Machine", ClusterApiGateway.ClusterGroup),
        ("MachineDeployment", ClusterApiGateway.ClusterGroup), ("MachinePool", ClusterApiGateway.ClusterGroup),
        ("KubeadmControlPlane", "controlplane.cluster.x-k8s.io"), ("AWSManagedControlPlane", "controlplane.cluster.x-k8s.io"),
        ("AzureASOManagedControlPlane", "infrastructure.cluster.x-k8s.io"), ("GCPManagedControlPlane", "infrastructure.cluster.x-k8s.io"),
    ];

    private ClusterClientFactory Clients => clients;
    private ILogger Log => logger;
    private readonly ConcurrentDictionary<Guid, ManagementWatch> _watches = new();
    private readonly ConcurrentDictionary<Guid, byte> _dirty = new();
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private volatile Targets _targets = Targets.Empty;

    /// <summary>Signalled when an object of a cluster not yet among the targets changes: the targets are read again early.</summary>
    private readonly SemaphoreSlim _readTargetsNow = new(0, 1);

    /// <summary>
    /// Names of clusters heard of but not among the targets, and when each last asked for an early read. A cluster
    /// Cocktail did not create (or a deleted one) asks at most once per resync period, so foreign Cluster API objects
    /// on a busy management cluster cannot turn the target list into a hot loop.
    /// </summary>
    private readonly ConcurrentDictionary<(Guid, string, string), long> _unknownAsked = new();
    private const int MaxUnknownRemembered = 10_000;

    /// <summary>The shortest gap between two reads of the targets, so a burst of new clusters is read once.</summary>
    private static readonly TimeSpan MinTargetsGap = TimeSpan.FromMilliseconds(200);

    /// <summary>Management clusters watched by this replica, for tests and benchmarks.</summary>
    public IReadOnlyCollection<Guid> WatchedManagementClusters => [.. _watches.Keys];

    /// <summary>How many observations this replica ran, for the benchmark.</summary>
    public long Observations => Interlocked.Read(ref _observations);
    private long _observations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var observers = Enumerable.Range(0, Math.Max(1, options.Value.Observers)).Select(_ => ObserveLoopAsync(stoppingToken)).ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var take = new NpgsqlCommand($"select pg_try_advisory_lock({LeaderLockKey})", leadership))
                    if (!(bool)(await take.ExecuteScalarAsync(stoppingToken))!)
                    {
                        await Task.Delay(options.Value.LeadershipInterval, stoppingToken);
                        continue;
                    }
                try
                {
                    logger.LogInformation("This replica follows the provisioned clusters");
                    await LeadAsync(leadership, stoppingToken);
                }
                finally
                {
                    await StopWatchesAsync();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Following provisioned clusters stopped; taking it up again");
                await StopWatchesAsync();
                await Task.Delay(options.Value.LeadershipInterval, stoppingToken);
            }
        }
        await Task.WhenAll(observers);
    }

    private async Task LeadAsync(NpgsqlConnection leadership, CancellationToken ct)
    {
        var sinceResync = System.Diagnostics.Stopwatch.StartNew(); // pacing, not business time
        var sinceLeadershipCheck = System.Diagnostics.Stopwatch.StartNew();
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            var previous = _targets;
            _targets = await ReadTargetsAsync(ct);
            // A cluster requested since the last read may already have changed on its management cluster while it was
            // unknown here; observe it now rather than on its next change or the next resync.
            if (!first)
                foreach (var added in _targets.All.Where(t => !previous.Contains(t.Id))) MarkDirty(added.Id);
            logger.LogDebug("Following {Count} provisioned clusters on {Management} management clusters", _targets.All.Count, _watches.Count);
            await FollowManagementClustersAsync(ct);
            if (first || sinceResync.Elapsed >= options.Value.Resync)
            {
                first = false;
                sinceResync.Restart();
                await ResyncAsync(ct);
            }
            if (sinceLeadershipCheck.Elapsed >= options.Value.LeadershipInterval)
            {
                sinceLeadershipCheck.Restart();
                await using var alive = new NpgsqlCommand("select 1", leadership) { CommandTimeout = 10 };
                await alive.ExecuteScalarAsync(ct); // a lost session is a lost lock: stop following
            }
            if (await _readTargetsNow.WaitAsync(options.Value.TargetsInterval, ct))
                await Task.Delay(MinTargetsGap, ct);
        }
    }

    /// <summary>The provisioned clusters not deleted, from their events (no read model needed).</summary>
    private async Task<Targets> ReadTargetsAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var requested = await session.Events.QueryRawEventDataOnly<ClusterProvisionRequested>().ToListAsync(ct);
        var deleted = (await session.Events.QueryRawEventDataOnly<ClusterDeleted>().Select(e => e.ProvisionId).ToListAsync(ct)).ToHashSet();
        var provisioned = (await session.Events.QueryRawEventDataOnly<ClusterProvisioned>().Select(e => e.ProvisionId).ToListAsync(ct)).ToHashSet();
        var registered = (await session.Events.QueryRawEventDataOnly<ProvisionedClusterRegistered>().Select(e => e.ProvisionId).ToListAsync(ct)).ToHashSet();
        var live = requested.Where(r => !deleted.Contains(r.ProvisionId))
            .Select(r => new Target(r.ProvisionId, r.ManagementClusterId, r.Blueprint.Namespace, r.Blueprint.Name,
                provisioned.Contains(r.ProvisionId) && !registered.Contains(r.ProvisionId)))
            .ToList();
        return new Targets(live);
    }

    private async Task FollowManagementClustersAsync(CancellationToken ct)
    {
        var wanted = _targets.All.Select(t => t.ManagementClusterId).ToHashSet();
        foreach (var (id, watch) in _watches.Where(w => !wanted.Contains(w.Key)).ToList())
        {
            _watches.TryRemove(id, out _);
            await watch.DisposeAsync();
        }
        foreach (var id in wanted.Where(id => !_watches.ContainsKey(id)))
        {
            var connection = await ConnectionAsync(id, ct);
            if (connection is null) continue;
            _watches[id] = ManagementWatch.Start(this, id, connection, ct);
        }
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        foreach (var target in _targets.All) MarkDirty(target.Id);
        var unregistered = _targets.All.Where(t => t.ProvisionedNotRegistered).ToList();
        if (unregistered.Count == 0) return;
        using var scope = scopes.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var target in unregistered) await bus.PublishAsync(new RegisterProvisionedCluster(target.Id));
    }

    private async Task<ClusterConnection?> ConnectionAsync(Guid clusterId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var credential = await session.LoadAsync<Application.Clusters.ClusterCredential>(clusterId, ct);
        return credential is null ? null : vault.Unprotect(credential.Protected);
    }

    private void MarkDirty(Guid provisionId)
    {
        if (_dirty.TryAdd(provisionId, 0)) _queue.Writer.TryWrite(provisionId);
    }

    private async Task ObserveLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(ct))
            {
                _dirty.TryRemove(id, out _); // a change during the observation observes again afterwards
                logger.LogDebug("Observing provisioned cluster {ProvisionId}", id);
                try
                {
                    using var scope = scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new ObserveProvisionedCluster(id), ct);
                    Interlocked.Increment(ref _observations);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Observing provisioned cluster {ProvisionId} failed; it is observed again on its next change", id);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>A watched object changed on <paramref name="managementClusterId"/>: the provisioned cluster it belongs to is observed.</summary>
    private async Task OnChangeAsync(Guid managementClusterId, JsonElement obj, bool secret, CancellationToken ct)
    {
        var ns = Text(Child(obj, "metadata"), "namespace") ?? "default";
        var name = Name(obj) ?? "";
        var clusterLabel = Label(obj, ClusterNameLabel);
        var target = _targets.Find(managementClusterId, ns, clusterLabel, name);
        if (target is null)
        {
            AskForTargets((managementClusterId, ns, clusterLabel ?? name));
            return;
        }
        if (!secret)
        {
            MarkDirty(target.Id);
            return;
        }
        if (name != target.Name + "-kubeconfig") return;
        using var scope = scopes.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(new RegisterProvisionedCluster(target.Id));
    }

    /// <summary>An object of a cluster not among the targets changed: read the targets early, once per name per resync period.</summary>
    private void AskForTargets((Guid, string, string) key)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_unknownAsked.TryGetValue(key, out var asked) && System.Diagnostics.Stopwatch.GetElapsedTime(asked, now) < options.Value.Resync) return;
        if (_unknownAsked.Count >= MaxUnknownRemembered) _unknownAsked.Clear();
        _unknownAsked[key] = now;
        try { if (_readTargetsNow.CurrentCount == 0) _readTargetsNow.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    private async Task StopWatchesAsync()
    {
        foreach (var (id, watch) in _watches.ToList())
        {
            _watches.TryRemove(id, out _);
            await watch.DisposeAsync();
        }
    }

    private sealed record Target(Guid Id, Guid ManagementClusterId, string Namespace, string Name, bool ProvisionedNotRegistered);

    private sealed class Targets(IReadOnlyList<Target> all)
    {
        public static readonly Targets Empty = new([]);
        private readonly Dictionary<(Guid, string, string), Target> _byName = all.GroupBy(t => (t.ManagementClusterId, t.Namespace, t.Name)).ToDictionary(g => g.Key, g => g.Last());
        private readonly HashSet<Guid> _ids = all.Select(t => t.Id).ToHashSet();
        public IReadOnlyList<Target> All { get; } = all;
        public bool Contains(Guid id) => _ids.Contains(id);

        /// <summary>By the cluster-name label Cluster API puts on what it owns, else by the object's name (the Cluster, or <c>&lt;cluster&gt;-…</c>).</summary>
        public Target? Find(Guid managementClusterId, string ns, string? clusterLabel, string name)
        {
            if (clusterLabel is not null) return _byName.GetValueOrDefault((managementClusterId, ns, clusterLabel));
            if (_byName.GetValueOrDefault((managementClusterId, ns, name)) is { } cluster) return cluster;
            var dash = name.LastIndexOf('-');
            while (dash > 0)
            {
                if (_byName.GetValueOrDefault((managementClusterId, ns, name[..dash])) is { } prefixed) return prefixed;
                dash = name.LastIndexOf('-', dash - 1);
            }
            return null;
        }
    }

    /// <summary>The watches on one management cluster: one per kind it serves, each listing then watching, again after any break.</summary>
    private sealed class ManagementWatch : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _running;

        private ManagementWatch(CancellationTokenSource stop, Task running)
        {
            _stop = stop;
            _running = running;
        }

        public static ManagementWatch Start(ProvisioningFollower owner, Guid clusterId, ClusterConnection connection, CancellationToken ct)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            return new ManagementWatch(stop, Task.Run(() => RunAsync(owner, clusterId, connection, stop.Token), CancellationToken.None));
        }

        private static async Task RunAsync(ProvisioningFollower owner, Guid clusterId, ClusterConnection connection, CancellationToken ct)
        {
            ServedKinds? kinds = null;
            while (kinds is null && !ct.IsCancellationRequested)
            {
                try
                {
                    using var lease = owner.Clients.Lease(connection);
                    var api = new ManagementApi(lease.Client, connection.Server);
                    kinds = ServedKinds.From(await api.ListAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", ct, pageSize: 50, limit: 48L * 1024 * 1024));
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    owner.Log.LogDebug(e, "Reading the CRDs of management cluster {ClusterId} failed", clusterId);
                    await Delay(TimeSpan.FromSeconds(2), ct);
                }
            }
            if (kinds is null) return;
            var loops = WatchedKinds.Select(k => kinds.Find(k.Kind, k.Group)).OfType<ServedKind>()
                .Select(k => FollowAsync(owner, clusterId, connection, k.Path(k.Version(ClusterApiGateway.PreferredVersion), null), null, false, ct))
                .Append(FollowAsync(owner, clusterId, connection, "api/v1/secrets", ClusterNameLabel, true, ct));
            await Task.WhenAll(loops);
        }

        /// <summary>List, then watch from the list's resourceVersion; a break (410 Gone, a closed stream, an error) lists again.</summary>
        private static async Task FollowAsync(ProvisioningFollower owner, Guid clusterId, ClusterConnection connection, string path, string? selector,
            bool secrets, CancellationToken ct)
        {
            var failures = 0;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var lease = owner.Clients.Lease(connection);
                    var api = new ManagementApi(lease.Client, connection.Server);
                    var (items, version) = await api.ListForWatchAsync(path, selector, ct);
                    owner.Log.LogDebug("Listed {Count} objects of {Path} on management cluster {ClusterId}; watching", items.Count, path, clusterId);
                    foreach (var item in items) await owner.OnChangeAsync(clusterId, item, secrets, ct);
                    var gone = false;
                    while (!gone && !ct.IsCancellationRequested)
                    {
                        await foreach (var change in api.WatchAsync(path, selector, version, ct))
                        {
                            failures = 0;
                            var type = Text(change, "type");
                            var obj = Child(change, "object");
                            if (type == "ERROR") { gone = true; break; } // 410 Gone (or another error): list again
                            if (Text(Child(obj, "metadata"), "resourceVersion") is { } rv) version = rv;
                            if (type == "BOOKMARK" || obj is null) continue;
                            await owner.OnChangeAsync(clusterId, obj.Value, secrets, ct);
                        }
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    owner.Log.LogDebug(e, "Watching {Path} on management cluster {ClusterId} broke; listing again", path, clusterId);
                    await Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * (1 << Math.Min(++failures, 5)))), ct);
                }
            }
        }

        private static async Task Delay(TimeSpan wait, CancellationToken ct)
        {
            try { await Task.Delay(wait, ct); }
            catch (OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await _running; }
            catch (OperationCanceledException) { }
            _stop.Dispose();
        }
    }
}
