using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.ServiceMaps.ChangingQuota;

/// <summary>Workspace admins move quota between their service maps; the sum stays within the workspace's quota.</summary>
public sealed record ChangeServiceMapQuota(Guid ServiceMapId, Quota? Quota) : IRequest<Accepted>;

public sealed class ChangeServiceMapQuotaValidator : AbstractValidator<ChangeServiceMapQuota>
{
    public ChangeServiceMapQuotaValidator() => RuleFor(x => x.Quota).ValidQuota();
}

public static class ChangeServiceMapQuotaHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeServiceMapQuota command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, command.ServiceMapId, TenancyAccess.CanManage, ct);
        if (map.Failure is { } failure) return failure;
        var result = await ServiceMapQuotas.ChangeAsync(session, map.Value!, command.Quota!, null, actor, clock.GetUtcNow(), ct);
        if (result.Succeeded) await messages.PublishAsync(new ReconcileServiceMap(command.ServiceMapId));
        return result;
    }
}

public static class ServiceMapQuotas
{
    public static async Task<Result<Accepted>> ChangeAsync(IDocumentSession session, ServiceMapView map, Quota quota, Guid? requestId,
        Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(map.ClusterId), ct);
        if (stream.Aggregate is null) return Failure.NotFound("No such service map.");
        var decision = stream.Aggregate.ChangeServiceMapQuota(map.Id, quota, requestId, actor.Ref, now);
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(map.Id, 0);
    }
}
