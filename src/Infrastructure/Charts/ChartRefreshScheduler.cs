using Cocktail.Application.Charts;
using Cocktail.Application.Charts.Refreshing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;

namespace Cocktail.Infrastructure.Charts;

/// <summary>
/// Reads every chart repository's index again each <see cref="ChartRepositoriesOptions.RefreshInterval"/> on exactly
/// one replica: the one holding a PostgreSQL session-level advisory lock (it goes with the session when a replica
/// dies, so a standby takes over within one interval), as the alert evaluation does.
/// </summary>
public sealed class ChartRefreshScheduler(
    NpgsqlDataSource dataSource, IMessageBus bus, IOptions<ChartRepositoriesOptions> options, IHostApplicationLifetime lifetime,
    ILogger<ChartRefreshScheduler> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x636b636861727473; // "ckcharts"

    public ChartRefreshResult? Last { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RefreshEnabled) return;
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var interval = options.Value.RefreshInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await TryLockAsync(leadership, stoppingToken))
                {
                    await Task.Delay(interval, stoppingToken);
                    continue;
                }
                using var timer = new PeriodicTimer(interval);
                do
                {
                    await RefreshAsync(stoppingToken);
                    await using var alive = new NpgsqlCommand("select 1", leadership);
                    await alive.ExecuteScalarAsync(stoppingToken); // a lost session (and its lock) ends the lead here
                } while (await timer.WaitForNextTickAsync(stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "Chart repository refresh lost its database session; taking it up again");
                await Task.Delay(interval, stoppingToken);
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        try
        {
            Last = await bus.InvokeAsync<ChartRefreshResult>(new RefreshChartRepositories(), ct, TimeSpan.FromMinutes(10));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "A chart repository refresh failed; the next one tries again");
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LeaderLockKey });
        return await command.ExecuteScalarAsync(ct) is true;
    }
}
