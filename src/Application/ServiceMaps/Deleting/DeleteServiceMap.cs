using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Workloads;
using Cocktail.Domain.Tenancy;
using Marten;
using Wolverine;

namespace Cocktail.Application.ServiceMaps.Deleting;

/// <summary>
/// Deletes the service map and, on the cluster, its namespace with everything in it. <see cref="Confirm"/> must be
/// the namespace, typed by the caller. The quota goes back to the workspace at once.
/// </summary>
public sealed record DeleteServiceMap(Guid ServiceMapId, string? Confirm) : IRequest<Accepted>;

public static class DeleteServiceMapHandler
{
    public static async Task<Result<Accepted>> Handle(DeleteServiceMap command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, command.ServiceMapId, TenancyAccess.CanManage, ct);
        if (map.Failure is { } failure) return failure;
        var now = clock.GetUtcNow();
        var result = await AggregateStreams.DecideAsync<ServiceMap>(session, command.ServiceMapId, null,
            s => s.RequestDeletion(command.Confirm ?? "", actor.Ref, now), ServiceMapAccess.NoSuchServiceMap, ct);
        if (!result.Succeeded) return result;

        var allocation = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(map.Value!.ClusterId), ct);
        if (allocation.Aggregate is { } state) allocation.AppendMany(state.ReleaseServiceMap(command.ServiceMapId, actor.Ref, now).Events.ToArray());
        // Its workloads go with the namespace: each history ends with who deleted it and why.
        foreach (var workload in await session.Query<WorkloadView>().Where(w => w.ServiceMapId == command.ServiceMapId).ToListAsync(ct))
        {
            var stream = await session.Events.FetchForWriting<Workload>(workload.Id, ct);
            if (stream.Aggregate is { } w)
                stream.AppendMany(w.Delete($"The service map {map.Value.Name} was deleted.", actor.Ref, now).Events.ToArray());
        }
        await messages.PublishAsync(new ReconcileServiceMap(command.ServiceMapId));
        return result;
    }
}
