using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications.ReadingDeliveries;

/// <summary>A channel's delivery log, newest try first; <see cref="DeliveryId"/> narrows it to one notification's tries.</summary>
public sealed record ListNotificationDeliveries(Guid ChannelId, Guid? DeliveryId = null, int Limit = 100) : IRequest<IReadOnlyList<NotificationDeliveryAttempt>>;

public sealed class ListNotificationDeliveriesValidator : AbstractValidator<ListNotificationDeliveries>
{
    public ListNotificationDeliveriesValidator() => RuleFor(x => x.Limit).InclusiveBetween(1, 500);
}

public static class ListNotificationDeliveriesHandler
{
    public static async Task<Result<IReadOnlyList<NotificationDeliveryAttempt>>> Handle(ListNotificationDeliveries query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var channel = await NotificationAccess.ChannelAsync(session, actor, query.ChannelId, manage: false, ct);
        if (channel.Failure is { } refused) return refused;
        var attempts = session.Query<NotificationDeliveryAttempt>().Where(a => a.ChannelId == query.ChannelId);
        if (query.DeliveryId is { } delivery) attempts = attempts.Where(a => a.DeliveryId == delivery);
        var list = await attempts.OrderByDescending(a => a.At).ThenByDescending(a => a.Attempt).Take(query.Limit).ToListAsync(ct);
        return Result<IReadOnlyList<NotificationDeliveryAttempt>>.Ok(list);
    }
}
