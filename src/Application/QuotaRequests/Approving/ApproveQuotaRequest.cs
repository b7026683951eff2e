using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.ChangingQuota;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using Marten;
using Wolverine;

namespace Cocktail.Application.QuotaRequests.Approving;

/// <summary>Approving changes the quota in the same transaction; when it no longer fits, nothing is approved.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ApproveQuotaRequest(Guid RequestId) : IRequest<Accepted>;

public static class ApproveQuotaRequestHandler
{
    public static async Task<Result<Accepted>> Handle(ApproveQuotaRequest command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var request = await session.Events.FetchForWriting<QuotaRequest>(command.RequestId, ct);
        if (request.Aggregate is not { } pending) return Failure.NotFound("No such quota request.");
        var approval = pending.Approve(actor.Ref, now);
        if (approval.Error is { } refused) return refused;

        Result<Accepted> applied;
        if (pending.ServiceMapId is { } mapId)
        {
            var map = await session.LoadAsync<ServiceMapView>(mapId, ct);
            if (map is null) return Failure.Conflict("The service map no longer exists.");
            applied = await ServiceMapQuotas.ChangeAsync(session, map, pending.Requested, pending.Id, actor, now, ct);
            if (applied.Succeeded) await messages.PublishAsync(new ReconcileServiceMap(mapId));
        }
        else
        {
            var allocation = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(pending.ClusterId), ct);
            if (allocation.Aggregate?.Assignments.GetValueOrDefault(pending.WorkspaceId) is not { } assignment)
                return Failure.Conflict("The workspace no longer has that cluster.");
            var change = allocation.Aggregate.ChangeAssignment(pending.WorkspaceId, assignment.Mode, pending.Requested, pending.Id, actor.Ref, now);
            if (change.Error is { } error) return error;
            allocation.AppendMany(change.Events.ToArray());
            applied = new Accepted(pending.Id, 0);
        }
        if (!applied.Succeeded) return applied;
        request.AppendMany(approval.Events.ToArray());
        return new Accepted(pending.Id, (request.StartingVersion ?? 0) + 1);
    }
}
