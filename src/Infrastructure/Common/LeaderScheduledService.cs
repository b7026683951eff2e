using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cocktail.Infrastructure.Common;

/// <summary>
/// A job run every <see cref="Interval"/> on exactly one replica: the one holding a PostgreSQL session-level advisory
/// lock on <see cref="LockKey"/>. The lock goes with the session when a replica dies, so a standby takes over within
/// one interval; each tick also proves the session alive, so a replica that lost it stops leading there. A failed
/// tick is the job's to log (<see cref="RunOnceAsync"/>); the next one tries again.
/// </summary>
public abstract class LeaderScheduledService(NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, ILogger logger) : BackgroundService
{
    /// <summary>The advisory lock's key, one per job (eight ASCII letters read as a number, by convention).</summary>
    protected abstract long LockKey { get; }

    protected abstract bool Enabled { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>What the job is, for the log ("Alert evaluation").</summary>
    protected abstract string Job { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected ILogger Log => logger;

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var interval = Interval;
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
                    await RunOnceAsync(stoppingToken);
                    await using var alive = new NpgsqlCommand("select 1", leadership);
                    await alive.ExecuteScalarAsync(stoppingToken); // a lost session (and its lock) ends the lead here
                } while (await timer.WaitForNextTickAsync(stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "{Job} lost its database session; taking it up again", Job);
                await Task.Delay(interval, stoppingToken);
            }
        }
    }

    private async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
        return await command.ExecuteScalarAsync(ct) is true;
    }
}
