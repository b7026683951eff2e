using Cocktail.Application.Alerts;
using Cocktail.Application.Alerts.Evaluating;
using Cocktail.Infrastructure.Common;
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
    ILogger<AlertEvaluationScheduler> logger) : LeaderScheduledService(dataSource, lifetime, logger)
{
    protected override long LockKey => 0x636b616c65727473; // "ckalerts"
    protected override bool Enabled => options.Value.Enabled;
    protected override TimeSpan Interval => options.Value.EvaluationInterval;
    protected override string Job => "Alert evaluation";

    /// <summary>The last evaluation's result on this replica, for tests and the benchmark.</summary>
    public AlertEvaluationResult? Last { get; private set; }

    public long Evaluations => Interlocked.Read(ref _evaluations);
    private long _evaluations;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            Last = await bus.InvokeAsync<AlertEvaluationResult>(new EvaluateAlertRules(), ct, options.Value.EvaluationInterval * 4);
            Interlocked.Increment(ref _evaluations);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.LogWarning(e, "An alert evaluation failed; the next one tries again");
        }
    }
}
