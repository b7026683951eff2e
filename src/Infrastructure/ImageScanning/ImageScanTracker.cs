using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Infrastructure.Inventory;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Infrastructure.ImageScanning;

/// <summary>
/// Follows running scanner Jobs as the build tracker follows builds: when the build cluster's inventory changes (its
/// watch saw a Job or pod change), the running scans there are read from the cluster and an ended Job is recorded.
/// Runs on the replica that watches the cluster, so each outcome is recorded once; a periodic pass covers a lost
/// notification.
/// </summary>
public sealed class ImageScanTracker(
    IServiceScopeFactory scopes, InventoryNotifier notifier, InventorySupervisor supervisor, IImageScanCluster scans, ICredentialVault vault,
    ILogger<ImageScanTracker> logger) : ClusterChangeFollower(notifier, supervisor, logger, "image scans", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5))
{
    protected override async Task ObserveAsync(Guid clusterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var running = await session.Query<ImageScanJob>().Where(j => j.ClusterId == clusterId && j.Status == ScanJobStatus.Running).ToListAsync(ct);
        if (running.Count == 0) return;
        if (await session.LoadAsync<ClusterCredential>(clusterId, ct) is not { } credential) return;
        var connection = vault.Unprotect(credential.Protected);
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var job in running)
        {
            var observed = await scans.ObserveAsync(connection, job.Namespace!, job.JobName!, ct);
            if (observed is null || observed.Phase == ScanJobPhase.Running) continue;
            await bus.InvokeAsync(new RecordScanOutcome(job.Id, job.ScanId, observed), ct);
        }
    }
}

/// <summary>
/// Publishes the rescan sweep on the replica that leads (watches the clusters), so it runs once across replicas.
/// The sweep itself picks only the images whose last attempt is older than the rescan interval, so sweeping more
/// often than that costs a query, not a scan.
/// </summary>
public sealed class RescanScheduler(IServiceScopeFactory scopes, InventorySupervisor supervisor,
    Microsoft.Extensions.Options.IOptions<Cocktail.Application.ImageScanning.ImageScanningOptions> options, ILogger<RescanScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromTicks(Math.Clamp(options.Value.RescanInterval.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromHours(1).Ticks));
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (supervisor.LeaderSince is null || !options.Value.Enabled) continue;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(new Cocktail.Application.ImageScanning.Rescanning.RescanImages());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Publishing the image rescan sweep failed; trying again on the next tick");
            }
        }
    }
}
