using Cocktail.Application.Logs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cocktail.Infrastructure.Logs;

/// <summary>
/// Creates the log table's partitions ahead and drops the expired ones, at start and then regularly. Both steps are
/// idempotent, so every replica may run them; no leader is needed.
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
