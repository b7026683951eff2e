using Cocktail.Application.Builds;
using Cocktail.Application.Builds.Tracking;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Domain.Builds;
using Cocktail.Infrastructure.Inventory;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Infrastructure.Builds;

/// <summary>
/// Follows running builds' Jobs: when the build cluster's inventory changes (its watch saw the Job or pod change), the
/// running builds there are read from the cluster and an ended Job is recorded. Runs on the replica that watches the
/// cluster, so each observation is made once; a periodic pass covers a lost notification.
/// </summary>
public sealed class BuildTracker(
    IServiceScopeFactory scopes, InventoryNotifier notifier, InventorySupervisor supervisor, IBuildCluster builds, ICredentialVault vault,
    ILogger<BuildTracker> logger) : ClusterChangeFollower(notifier, supervisor, logger, "builds", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5))
{
    protected override async Task ObserveAsync(Guid clusterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var running = await session.Query<BuildView>().Where(b => b.ClusterId == clusterId && b.Status == BuildStatus.Running).ToListAsync(ct);
        if (running.Count == 0) return;
        if (await session.LoadAsync<ClusterCredential>(clusterId, ct) is not { } credential) return;
        var connection = vault.Unprotect(credential.Protected);
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var build in running)
        {
            var observed = await builds.ObserveAsync(connection, build.Namespace!, build.JobName!, ct);
            if (observed is null || observed.Phase == BuildJobPhase.Running) continue;
            await bus.InvokeAsync(new RecordBuildObservation(build.Id, observed), ct);
        }
    }
}
