using Cocktail.Application.Alerts;
using Cocktail.Application.Alerts.Evaluating;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;

namespace Cocktail.Infrastructure.Alerts;

/// <summary>
/// Evaluates every enabled alert rule each <see cref="AlertingOptions.EvaluationInterval"/> on exactly one replica:
/// the one holding a PostgreSQL session-level advisory lock, which goes with the session when a replica dies, so a
/// standby takes over within one interval. Each tick runs the evaluation through Wolverine (its transaction and
/// outbox); a failed tick is logged and the next one tries again.
/// </summary>
public sealed class AlertEvaluationScheduler(
    NpgsqlDataSource dataSource, IMessageBus bus, IOptions<AlertingOptions> options, IHostApplicationLifetime lifetime,
    ILogger<AlertEvaluationScheduler> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x636b616c65727473; // "ckalerts"

    /// <summary>The last evaluation's result on this replica, for tests and the benchmark.</summary>
    public AlertEvaluationResult? Last { get; private set; }

    public long Evaluations => Interlocked.Read(ref _evaluations);
    private long _evaluations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var interval = options.Value.EvaluationInterval;
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
                    await EvaluateAsync(stoppingToken);
                    await using var alive = new NpgsqlCommand("select 1", leadership);
                    await alive.ExecuteScalarAsync(stoppingToken); // a lost session (and its lock) ends the lead here
                } while (await timer.WaitForNextTickAsync(stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "Alert evaluation lost its database session; taking it up again");
                await Task.Delay(interval, stoppingToken);
            }
        }
    }

    private async Task EvaluateAsync(CancellationToken ct)
    {
        try
        {
            Last = await bus.InvokeAsync<AlertEvaluationResult>(new EvaluateAlertRules(), ct, options.Value.EvaluationInterval * 4);
            Interlocked.Increment(ref _evaluations);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "An alert evaluation failed; the next one tries again");
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LeaderLockKey });
        return await command.ExecuteScalarAsync(ct) is true;
    }
}
