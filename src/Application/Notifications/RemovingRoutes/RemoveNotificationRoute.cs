using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications.RemovingRoutes;

public sealed record RemoveNotificationRoute(Guid RouteId, string? Reason = null) : IRequest<Accepted>;

public sealed class RemoveNotificationRouteValidator : AbstractValidator<RemoveNotificationRoute>
{
    public RemoveNotificationRouteValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RemoveNotificationRouteHandler
{
    public static async Task<Result<Accepted>> Handle(RemoveNotificationRoute command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var found = await NotificationAccess.RouteAsync(session, actor, command.RouteId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        return await AggregateStreams.DecideAsync<NotificationRoute>(session, command.RouteId, null,
            r => r.Remove(actor.Ref, clock.GetUtcNow(), command.Reason), NotificationRoute.NoSuchRoute, ct);
    }
}
