using Cocktail.Application.Pipelines.Triggering;
using Cocktail.Infrastructure.Inventory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Infrastructure.Pipelines;

/// <summary>
/// Pipelines' cron schedules: every <see cref="Every"/> the leader replica asks for the runs that came due (the
/// handler decides which, from each pipeline's mark); other replicas stay quiet, so a schedule fires once.
/// </summary>
public sealed class PipelineScheduler(IServiceScopeFactory scopes, InventorySupervisor supervisor, TimeProvider clock, ILogger<PipelineScheduler> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (supervisor.LeaderSince is null) continue;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(new RunScheduledPipelines(clock.GetUtcNow()));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Publishing the pipeline schedule tick failed; trying again on the next tick");
            }
        }
    }
}
