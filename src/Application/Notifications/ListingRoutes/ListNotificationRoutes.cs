using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.Notifications.ListingRoutes;

public sealed record ListNotificationRoutes(Guid? WorkspaceId) : IRequest<IReadOnlyList<NotificationRouteView>>;

public static class ListNotificationRoutesHandler
{
    public static async Task<Result<IReadOnlyList<NotificationRouteView>>> Handle(ListNotificationRoutes query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var allowed = await NotificationAccess.CheckAsync(session, actor, query.WorkspaceId, manage: false, ct);
        if (allowed.Failure is { } refused) return refused;
        var routes = await session.Query<NotificationRouteView>()
            .Where(r => r.WorkspaceId == query.WorkspaceId && !r.Removed).OrderBy(r => r.Name).ToListAsync(ct);
        return Result<IReadOnlyList<NotificationRouteView>>.Ok(routes);
    }
}

public sealed record GetNotificationRoute(Guid RouteId) : IRequest<NotificationRouteView>;

public static class GetNotificationRouteHandler
{
    public static Task<Result<NotificationRouteView>> Handle(GetNotificationRoute query, Actor actor, IQuerySession session, CancellationToken ct) =>
        NotificationAccess.RouteAsync(session, actor, query.RouteId, manage: false, ct);
}
