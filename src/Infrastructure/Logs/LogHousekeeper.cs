using Cocktail.Application.Logs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cocktail.Infrastructure.Logs;

/// <summary>
/// Creates the log table's partitions ahead, drops the expired ones, applies shortened retentions to stored lines and
/// builds the indexes of closed hours, at start and then regularly. Every step is idempotent, so every replica may run
/// them; index builds take an advisory lock so one replica builds at a time.
/// </summary>
public sealed class LogHousekeeper(ILogStore logs, IOptions<LogsOptions> options, TimeProvider clock, ILogger<LogHousekeeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (logs is not PostgresLogStore store) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow();
                await store.EnsurePartitionsAheadAsync(now, stoppingToken);
                var dropped = await store.DropExpiredAsync(now, stoppingToken);
                if (dropped.Count > 0) logger.LogInformation("Dropped {Count} expired log partitions", dropped.Count);
                var (deleted, moved) = await store.ApplyShortenedRetentionsAsync(now, stoppingToken);
                if (deleted + moved > 0) logger.LogInformation("Shortened retentions: {Deleted} stored log lines deleted, {Moved} moved to shorter classes", deleted, moved);
                var sealedLeaves = await store.SealClosedHoursAsync(now, options.Value.SealGrace, stoppingToken);
                if (sealedLeaves.Count > 0) logger.LogInformation("Indexed {Count} closed log hours", sealedLeaves.Count);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Log partition housekeeping failed; it runs again in {Interval}", options.Value.HousekeepingInterval);
            }
            try { await Task.Delay(options.Value.HousekeepingInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
