using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workloads.Reconciling;
using Cocktail.Infrastructure.Inventory;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Infrastructure.Workloads;

/// <summary>
/// Follows every workload's rollout from the inventory: when a cluster's inventory changes, its workloads are read
/// against their objects and pods, and what changed is recorded (status with the cluster's reason, drift). Runs on
/// the replica that watches the cluster, so each observation is made once.
/// </summary>
public sealed class RolloutTracker(
    IServiceScopeFactory scopes, InventoryNotifier notifier, InventorySupervisor supervisor, IWorkloadInventory inventory,
    ILogger<RolloutTracker> logger) : ClusterChangeFollower(notifier, supervisor, logger, "rollouts", TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30))
{
    /// <summary>Observations recorded since start, for benchmarks.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);
    private long _recorded;

    protected override async Task ObserveAsync(Guid clusterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var views = await session.Query<WorkloadView>().Where(w => w.ClusterId == clusterId).ToListAsync(ct);
        if (views.Count == 0) return;
        var objects = (await inventory.WorkloadsAsync(clusterId, ct))
            .GroupBy(o => (o.WorkloadId, o.Info.Kind)).ToDictionary(g => g.Key, g => g.First().Info);
        var pods = (await inventory.PodsAsync(clusterId, null, ct)).ToLookup(p => p.WorkloadId, p => p.Pod);
        var observations = new List<WorkloadObservation>();
        foreach (var view in views)
        {
            objects.TryGetValue((view.Id, WorkloadLabels.InventoryKindOf(view.Kind)), out var info);
            if (RolloutObserver.Observe(view, info, pods[view.Id].ToList()) is { } observation) observations.Add(observation);
        }
        if (observations.Count == 0) return;
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new RecordWorkloadObservations(observations), ct);
        Interlocked.Add(ref _recorded, observations.Count);
    }
}
