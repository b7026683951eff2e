using System.Collections.Concurrent;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.WarningOfExpiry;
using Cocktail.Application.Clusters.CheckingHealth;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.AccessGrants;
using Cocktail.Application.AccessGrants.Sweeping;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Infrastructure.KubernetesAudit;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.Domain.Clusters;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// Runs one <see cref="ClusterWatcher"/> per registered cluster on exactly one replica: the one holding a PostgreSQL
/// advisory lock. It follows registrations, rotations and removals as they are committed (a notification) and
/// re-reads the cluster list regularly; it records health transitions through the Cluster aggregate.
/// </summary>
public sealed class InventorySupervisor(
    IServiceScopeFactory scopes, NpgsqlDataSource dataSource, InventoryWriter writer, InventoryNotifier notifier,
    InventoryStore store, ICredentialVault vault, ClusterClientFactory clients, IOptions<InventoryOptions> options, IOptions<ReconcilingOptions> reconciling,
    IOptions<AccessOptions> access, IOptions<KubernetesAuditOptions> audit, IOptions<Cocktail.Application.Registries.Images.RegistryImagesOptions> images, KubernetesAuditStore auditStore, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<InventorySupervisor> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x636f636b7461696c; // "cocktail"
    private readonly ConcurrentDictionary<Guid, ClusterWatcher> _watchers = new();
    private readonly ConcurrentDictionary<Guid, HealthObservation> _lastReported = new();
    private readonly SemaphoreSlim _resync = new(0, 1);
    private readonly SemaphoreSlim _listSlots = new(Math.Max(1, options.Value.MaxConcurrentLists));
    private readonly ConcurrentDictionary<Guid, string> _watchedCredentials = new();
    private DateTimeOffset _lastHousekeeping = DateTimeOffset.MinValue;
    private DateTimeOffset _lastDriftCheck = DateTimeOffset.MinValue;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRetention = DateTimeOffset.MinValue;

    /// <summary>Clusters being watched by this replica, for tests and benchmarks.</summary>
    public IReadOnlyDictionary<Guid, bool> Watching => _watchers.ToDictionary(w => w.Key, w => w.Value.Synced);

    public IEnumerable<Guid> WatchedClusters => _watchers.Keys;

    /// <summary>Watched here, and every kind listed: its inventory can be read as the cluster's state.</summary>
    public bool IsSynced(Guid clusterId) => _watchers.TryGetValue(clusterId, out var watcher) && watcher.Synced;

    /// <summary>Re-lists since start, of the watchers running now and of those already stopped.</summary>
    public long Relists => Interlocked.Read(ref _retiredRelists) + _watchers.Values.Sum(w => w.Relists);
    private long _retiredRelists;

    /// <summary>When this replica took the lead, or null while another replica watches.</summary>
    public DateTimeOffset? LeaderSince => (DateTimeOffset?)Volatile.Read(ref _leaderSince);

    private object? _leaderSince; // a boxed DateTimeOffset: read and written whole

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        // Health is recorded through Wolverine, which starts after this service.
        await WhenStartedAsync(stoppingToken);
        using var subscription = notifier.SubscribeToConnectionChanges(_ => ResyncSoon());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await TryLeadAsync(leadership, options.Value.LeadershipInterval, stoppingToken))
                {
                    await Task.Delay(options.Value.LeadershipInterval, stoppingToken);
                    continue;
                }
                try
                {
                    logger.LogInformation("This replica watches the registered clusters");
                    Volatile.Write(ref _leaderSince, clock.GetUtcNow());
                    var resync = true;
                    var sinceResync = System.Diagnostics.Stopwatch.StartNew(); // pacing, not business time
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        if (resync || sinceResync.Elapsed >= options.Value.ResyncInterval)
                        {
                            sinceResync.Restart();
                            await ReconcileAsync(stoppingToken);
                        }
                        await HousekeepingAsync(stoppingToken);
                        // Woken by a connection change, or every leadership interval to make sure the lock is still
                        // ours: a replica that lost its session (a network cut, pg_terminate_backend) stops watching
                        // within one interval, which is about when a standby can have taken over.
                        resync = await _resync.WaitAsync(Min(options.Value.LeadershipInterval,
                            Min(reconciling.Value.DriftInterval, Min(access.Value.SweepInterval, images.Value.RetentionInterval))), stoppingToken);
                        await EnsureStillLeadingAsync(leadership, options.Value.LeadershipInterval, stoppingToken);
                    }
                }
                finally
                {
                    Volatile.Write(ref _leaderSince, null);
                    await StopAllAsync();
                    if (!await ReleaseAsync(leadership)) NpgsqlConnection.ClearPool(leadership);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Cluster watching stopped; taking it up again");
                Volatile.Write(ref _leaderSince, null);
                await StopAllAsync();
                await Task.Delay(options.Value.BackoffMin, stoppingToken);
            }
        }
    }

    private Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void ResyncSoon()
    {
        if (_resync.CurrentCount == 0) _resync.Release();
    }

    /// <summary>
    /// The lock is PostgreSQL's own (a session-level advisory lock): it goes with the session, so a replica that dies
    /// or is cut off loses it without any clean-up. The server learns that a silent peer is gone from TCP keepalives,
    /// which this session asks for at a few seconds instead of the system's two hours.
    /// </summary>
    private static async Task<bool> TryLeadAsync(NpgsqlConnection connection, TimeSpan interval, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 3; " +
            $"select pg_try_advisory_lock({LeaderLockKey})", connection) { CommandTimeout = Seconds(interval) };
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// A session that fails is lost, and the lock with it. A session that is only slow still holds the lock (PostgreSQL
    /// keeps it until the session ends), so one slow answer under load does not stop every watch and re-list every
    /// cluster; several in a row are treated as lost, since the lock may by then be someone else's (a silent peer's
    /// session is ended by the server's keepalives in about 11 s).
    /// </summary>
    private async Task EnsureStillLeadingAsync(NpgsqlConnection connection, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            await using var alive = new NpgsqlCommand("select 1", connection) { CommandTimeout = Seconds(interval) };
            await alive.ExecuteScalarAsync(ct);
            _slowLeadershipChecks = 0;
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException && ++_slowLeadershipChecks < SlowChecksBeforeLost
                                        && connection.FullState == System.Data.ConnectionState.Open)
        {
            logger.LogWarning("The leadership session answered slowly ({Checks} in a row); still watching", _slowLeadershipChecks);
        }
    }

    private const int SlowChecksBeforeLost = 3;
    private int _slowLeadershipChecks;

    private static int Seconds(TimeSpan interval) => Math.Max(2, (int)Math.Ceiling(interval.TotalSeconds) * 2);

    /// <summary>
    /// Answers false when the unlock could not be confirmed: the pooled connection may still hold the lock, so the
    /// caller clears the pool rather than hand a locked session to the next borrower while nobody watches.
    /// </summary>
    private static async Task<bool> ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({LeaderLockKey})", connection) { CommandTimeout = 5 };
            await unlock.ExecuteScalarAsync(CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The session is gone, and the lock with it; or it hangs, and closing it is the only way to be sure.
            return false;
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        // The stored (encrypted) form of each registered cluster's connection. It changes whenever the connection
        // does, so only new or changed ones are decrypted: decrypting all of them on every registration made a bulk
        // registration of N clusters cost N² decryptions (30 ms a pass at 500 clusters).
        Dictionary<Guid, string> wanted;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
            var ids = (await session.Query<ClusterView>().Select(c => c.Id).ToListAsync(ct)).ToHashSet();
            var credentials = await session.Query<ClusterCredential>().ToListAsync(ct);
            wanted = credentials.Where(c => ids.Contains(c.Id)).ToDictionary(c => c.Id, c => c.Protected);
        }

        foreach (var (id, watcher) in _watchers)
        {
            if (wanted.TryGetValue(id, out var stored) && _watchedCredentials.TryGetValue(id, out var watched) && stored == watched) continue;
            _watchers.TryRemove(id, out _);
            _watchedCredentials.TryRemove(id, out _);
            await RetireAsync(watcher);
            clients.Forget(watcher.Connection); // rotated, moved or unregistered: the old client goes with its watcher
            _lastReported.TryRemove(id, out _);
            if (!wanted.ContainsKey(id)) writer.Enqueue(new ForgetCluster(id));
        }
        foreach (var (id, stored) in wanted)
        {
            if (_watchers.ContainsKey(id)) continue;
            var watcher = new ClusterWatcher(id, vault.Unprotect(stored), clients, writer, options.Value, clock, logger, ReportAsync, _listSlots);
            _watchers[id] = watcher;
            _watchedCredentials[id] = stored;
            watcher.Start();
        }
    }

    /// <summary>Only a change is recorded; the aggregate ignores repeats as well, should another replica have raced.</summary>
    private async Task ReportAsync(HealthObservation observation)
    {
        if (_lastReported.TryGetValue(observation.ClusterId, out var last) && last.Health == observation.Health &&
            (observation.Version is null || last.Version == observation.Version))
            return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            await bus.InvokeAsync(new RecordClusterHealth(observation.ClusterId, observation.Health, observation.Detail, observation.Version));
            _lastReported[observation.ClusterId] = observation with { Version = observation.Version ?? last?.Version };
            writer.Enqueue(new HealthRecorded(observation.ClusterId));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Recording the health of cluster {ClusterId} failed; it is retried on the next probe", observation.ClusterId);
        }
    }

    /// <summary>
    /// On the watching replica only: every drift interval, compare every service map with its cluster; hourly, warn
    /// about expiring credentials and drop old Kubernetes events.
    /// </summary>
    private async Task HousekeepingAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastDriftCheck >= reconciling.Value.DriftInterval)
        {
            _lastDriftCheck = now;
            await PublishAsync(new CheckAllServiceMaps());
            await PublishAsync(new Cocktail.Application.PullSecrets.Reconciling.CheckAllPullSecrets());
            await PublishAsync(new Cocktail.Application.ImageScanning.Reconciling.CheckAllImageGates());
        }
        // Scheduled messages expire grants on time; the sweep also catches what a stopped Cocktail missed.
        if (now - _lastSweep >= access.Value.SweepInterval)
        {
            _lastSweep = now;
            await PublishAsync(new SweepAccessGrants());
            await PublishAsync(new Cocktail.Application.Registries.ExpiringRobots.SweepRobotAccounts());
        }
        // Image retention rules run here so that one replica runs them.
        if (now - _lastRetention >= images.Value.RetentionInterval)
        {
            _lastRetention = now;
            await PublishAsync(new Cocktail.Application.Registries.Retaining.ApplyRetentionRules());
        }
        if (now - _lastHousekeeping < TimeSpan.FromHours(1)) return;
        _lastHousekeeping = now;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new WarnAboutExpiringCredentials(), ct);
        await store.PurgeEventsOlderThanAsync(now - options.Value.EventRetention, ct);
        await auditStore.EnsurePartitionsAsync(now, ct);
        await auditStore.PurgeOlderThanAsync(now - audit.Value.Retention, ct);
    }

    private async Task PublishAsync(object message)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(message);
    }

    private async Task RetireAsync(ClusterWatcher watcher)
    {
        await watcher.DisposeAsync();
        Interlocked.Add(ref _retiredRelists, watcher.Relists);
    }

    private async Task StopAllAsync()
    {
        foreach (var id in _watchers.Keys.ToList())
            if (_watchers.TryRemove(id, out var watcher)) await RetireAsync(watcher);
        _watchedCredentials.Clear();
        _lastReported.Clear();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await StopAllAsync();
    }
}
