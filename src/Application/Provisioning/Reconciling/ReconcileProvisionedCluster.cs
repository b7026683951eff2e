using Cocktail.Application.Common;
using Cocktail.Application.Provisioning.Building;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;
using Marten;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Transports.Local;

namespace Cocktail.Application.Provisioning.Reconciling;

// The reconciler of provisioned clusters. It decides nothing: it builds the objects from the aggregate's blueprint,
// talks to the management cluster through IClusterApiGateway, hands what it saw to the aggregate and appends what
// the aggregate decides. Its messages come from the events themselves (Marten's event forwarding through
// Wolverine's outbox, see ProvisioningEvents in Infrastructure), so they are sent only once the change committed,
// and a crash in between loses nothing.

/// <summary>Apply the cluster's objects (server-side apply) as its blueprint says now.</summary>
public sealed record ApplyProvisionedCluster(Guid ProvisionId, int Attempt = 0);

/// <summary>Read the cluster's objects on the management cluster and record the transitions.</summary>
public sealed record ObserveProvisionedCluster(Guid ProvisionId);

/// <summary>The kubeconfig Secret appeared (or may have): register the new cluster with a service account of its own.</summary>
public sealed record RegisterProvisionedCluster(Guid ProvisionId, int Attempt = 0);

/// <summary>Delete the Cluster object; Cluster API deletes the rest, and the watch sees it go.</summary>
public sealed record DeleteProvisionedClusterObjects(Guid ProvisionId, int Attempt = 0);

/// <summary>Delete a removed pool's objects; <paramref name="BeforeVersion"/> is the stream version that still had the pool.</summary>
public sealed record DeleteNodePoolObjects(Guid ProvisionId, string Pool, long BeforeVersion, int Attempt = 0);

/// <summary>The Cluster is gone from the management cluster: the cluster Cocktail registered for it is unregistered.</summary>
public sealed record UnregisterDeletedCluster(Guid ProvisionId);

public static class ProvisioningTurns
{
    public const string Kind = "provisioned-cluster";

    /// <summary>At most this many tries for a registration whose workload cluster does not answer yet.</summary>
    public const int MaxRegistrationAttempts = 12;
}

public sealed class ApplyProvisionedClusterHandler : IConfigureLocalQueue
{
    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(16);

    public static async Task Handle(ApplyProvisionedCluster command, IDocumentSession session, IClusterApiGateway gateway,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        // One apply of a cluster at a time across replicas: an older blueprint must not land after a newer one.
        await using var turn = await turns.TakeAsync(ProvisioningTurns.Kind, command.ProvisionId, ct);
        var cluster = await session.Events.FetchLatest<ProvisionedCluster>(command.ProvisionId, ct);
        if (cluster is null || cluster.Status is ProvisioningStatus.Deleting or ProvisioningStatus.Deleted) return;
        var objects = ClusterObjects.Build(cluster.Blueprint);
        var failure = await gateway.ApplyAsync(cluster.ManagementClusterId, objects, ct);
        var names = objects.Select(o => $"{o["kind"]?.GetValue<string>()}/{o["metadata"]?["name"]?.GetValue<string>()}").ToList();
        var decision = cluster.RecordApply(names, failure?.Message, clock.GetUtcNow());
        if (decision.Events.Count > 0) session.Events.Append(cluster.Id, decision.Events.ToArray());
        if (failure is not null)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
        else
            await messages.PublishAsync(new ObserveProvisionedCluster(cluster.Id));
        await session.SaveChangesAsync(ct); // inside the turn: the next apply reads this one's outcome
    }
}

public sealed class ObserveProvisionedClusterHandler : IConfigureLocalQueue
{
    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(32);

    public static async Task Handle(ObserveProvisionedCluster command, IDocumentSession session, IClusterApiGateway gateway,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, ILogger<ObserveProvisionedCluster> logger, CancellationToken ct)
    {
        await using var turn = await turns.TakeAsync(ProvisioningTurns.Kind, command.ProvisionId, ct);
        var cluster = await session.Events.FetchLatest<ProvisionedCluster>(command.ProvisionId, ct);
        if (cluster is null || cluster.Status == ProvisioningStatus.Deleted) return;
        var (seen, failure) = await gateway.ObserveAsync(cluster.ManagementClusterId, cluster.Blueprint, ct);
        if (seen is null)
        {
            // Unreachable: nothing was seen, so nothing changed; the watch or the periodic pass observes it again.
            logger.LogDebug("Observing provisioned cluster {Name} failed: {Problem}", cluster.Name, failure?.Message);
            return;
        }
        var decision = cluster.Observe(seen, clock.GetUtcNow());
        if (decision.Events.Count > 0) session.Events.Append(cluster.Id, decision.Events.ToArray());
        if (decision.Events.OfType<ClusterProvisioned>().Any() && cluster.RegisteredClusterId is null)
            await messages.PublishAsync(new RegisterProvisionedCluster(cluster.Id));
        await session.SaveChangesAsync(ct);
    }
}

public static class DeleteProvisionedClusterObjectsHandler
{
    public static async Task Handle(DeleteProvisionedClusterObjects command, IDocumentSession session, IClusterApiGateway gateway,
        IMessageContext messages, CancellationToken ct)
    {
        var cluster = await session.Events.FetchLatest<ProvisionedCluster>(command.ProvisionId, ct);
        if (cluster is null || cluster.Status != ProvisioningStatus.Deleting) return;
        var failure = await gateway.DeleteClusterAsync(cluster.ManagementClusterId, cluster.Blueprint.Namespace, cluster.Blueprint.Name, ct);
        if (failure is not null)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
        else
            await messages.PublishAsync(new ObserveProvisionedCluster(cluster.Id));
    }
}

public static class DeleteNodePoolObjectsHandler
{
    public static async Task Handle(DeleteNodePoolObjects command, IQuerySession session, IClusterApiGateway gateway,
        IMessageContext messages, CancellationToken ct)
    {
        // The blueprint as it was before the pool was removed: the pool's objects are built from it.
        var before = await session.Events.AggregateStreamAsync<ProvisionedCluster>(command.ProvisionId, version: command.BeforeVersion, token: ct);
        if (before?.Pool(command.Pool) is null || before.Status == ProvisioningStatus.Deleted) return;
        var objects = ClusterObjects.PoolObjects(before.Blueprint, command.Pool);
        var failure = await gateway.DeleteObjectsAsync(before.ManagementClusterId, objects, ct);
        if (failure is not null)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
    }
}
