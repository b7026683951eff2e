using System.Collections.Concurrent;
using Cocktail.Application.Releases;
using Cocktail.Application.Releases.Reconciling;
using Cocktail.Domain.Charts;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cocktail.Infrastructure.Releases;

public sealed class ReleaseFollowingOptions
{
    public const string Section = "Cocktail:Releases";

    public bool Enabled { get; set; } = true;

    /// <summary>How often each cluster with releases is listed (one list of its managed HelmReleases per cluster).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every release is handed to its aggregate again this often, even unchanged, so nothing is missed across restarts.</summary>
    public TimeSpan Resync { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan LeadershipInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Clusters listed at once.</summary>
    public int Parallelism { get; set; } = 16;
}

/// <summary>
/// Follows every chart release that is not uninstalled: each interval, one list per cluster of the HelmReleases
/// Cocktail manages (by label), and a release whose HelmRelease changed (its resourceVersion) or disappeared is handed
/// to its aggregate, which records the transitions (deployed, failed, remediated, uninstalled). Runs on one replica:
/// the holder of a PostgreSQL advisory lock, as the provisioning follower does.
/// </summary>
public sealed class ReleaseFollower(
    NpgsqlDataSource dataSource, IDocumentStore store, IServiceScopeFactory scopes, IFluxGateway flux, TimeProvider clock,
    IOptions<ReleaseFollowingOptions> options, IHostApplicationLifetime lifetime, ILogger<ReleaseFollower> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x68656c6d2d666f6c; // "helm-fol"

    /// <summary>The resourceVersion each release's HelmRelease had when last handed to its aggregate.</summary>
    private readonly ConcurrentDictionary<Guid, string> _seen = new();

    public long Observations => Interlocked.Read(ref _observations);
    private long _observations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
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
                logger.LogInformation("This replica follows the chart releases");
                _seen.Clear();
                await LeadAsync(leadership, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Following chart releases stopped; taking it up again");
                await Task.Delay(options.Value.LeadershipInterval, stoppingToken);
            }
        }
    }

    private async Task LeadAsync(NpgsqlConnection leadership, CancellationToken ct)
    {
        var sinceResync = System.Diagnostics.Stopwatch.StartNew(); // pacing, not business time
        var sinceLeadershipCheck = System.Diagnostics.Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            if (sinceResync.Elapsed >= options.Value.Resync)
            {
                sinceResync.Restart();
                _seen.Clear();
            }
            await FollowOnceAsync(ct);
            if (sinceLeadershipCheck.Elapsed >= options.Value.LeadershipInterval)
            {
                sinceLeadershipCheck.Restart();
                await using var alive = new NpgsqlCommand("select 1", leadership) { CommandTimeout = 10 };
                await alive.ExecuteScalarAsync(ct); // a lost session is a lost lock: stop following
            }
            await Task.Delay(options.Value.Interval, ct);
        }
    }

    /// <summary>One pass over every cluster with releases not uninstalled.</summary>
    public async Task FollowOnceAsync(CancellationToken ct)
    {
        List<ChartReleaseView> releases;
        await using (var session = store.QuerySession())
            releases = [.. await session.Query<ChartReleaseView>().Where(r => r.Status != ChartReleaseStatus.Uninstalled).ToListAsync(ct)];
        var byCluster = releases.GroupBy(r => r.ClusterId).ToList();
        await Parallel.ForEachAsync(byCluster, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.Parallelism), CancellationToken = ct },
            async (cluster, token) =>
            {
                try { await FollowClusterAsync(cluster.Key, [.. cluster], token); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Following the releases of cluster {Cluster} failed", cluster.First().ClusterName);
                }
            });
    }

    private async Task FollowClusterAsync(Guid clusterId, List<ChartReleaseView> releases, CancellationToken ct)
    {
        var (listed, failure) = await flux.ListManagedAsync(clusterId, ct);
        if (listed is null)
        {
            logger.LogDebug("Listing the HelmReleases of {Cluster} failed: {Problem}", releases[0].ClusterName, failure?.Message);
            return;
        }
        var byId = listed.GroupBy(r => r.ReleaseId).ToDictionary(g => g.Key, g => g.First());
        foreach (var release in releases)
        {
            HelmReleaseObservation seen;
            string version;
            if (byId.TryGetValue(release.Id, out var found) && found.Namespace == release.Namespace && found.Name == release.Name)
            {
                (seen, version) = (found.Observation, found.ResourceVersion);
            }
            else
            {
                // Not listed: gone, or not written yet. Only an uninstall turns that into an event (the aggregate decides).
                if (release.Status != ChartReleaseStatus.Uninstalling) continue;
                (seen, version) = (HelmReleaseObservation.Gone, "gone");
            }
            if (_seen.TryGetValue(release.Id, out var last) && last == version) continue;
            await ObserveAsync(release.Id, seen, ct);
            _seen[release.Id] = version;
        }
    }

    private async Task ObserveAsync(Guid releaseId, HelmReleaseObservation seen, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var turns = scope.ServiceProvider.GetRequiredService<Application.Common.IExclusiveTurns>();
        await using var turn = await turns.TakeAsync(ReleaseTurns.Kind, releaseId, ct);
        await using var session = store.LightweightSession();
        var release = await session.Events.FetchLatest<ChartRelease>(releaseId, ct);
        if (release is null) return;
        Interlocked.Increment(ref _observations);
        await ObserveChartReleaseHandler.ObserveAsync(session, release, seen, clock, ct);
    }
}
