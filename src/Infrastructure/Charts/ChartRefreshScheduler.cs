using Cocktail.Application.Charts;
using Cocktail.Application.Charts.Refreshing;
using Cocktail.Infrastructure.Common;
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
    ILogger<ChartRefreshScheduler> logger) : LeaderScheduledService(dataSource, lifetime, logger)
{
    protected override long LockKey => 0x636b636861727473; // "ckcharts"
    protected override bool Enabled => options.Value.RefreshEnabled;
    protected override TimeSpan Interval => options.Value.RefreshInterval;
    protected override string Job => "Chart repository refresh";

    public ChartRefreshResult? Last { get; private set; }

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            Last = await bus.InvokeAsync<ChartRefreshResult>(new RefreshChartRepositories(), ct, TimeSpan.FromMinutes(10));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.LogWarning(e, "A chart repository refresh failed; the next one tries again");
        }
    }
}
