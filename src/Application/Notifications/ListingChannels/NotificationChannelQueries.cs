using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.Notifications.ListingChannels;

/// <summary>A workspace's channels (no workspace: the platform's), by name.</summary>
public sealed record ListNotificationChannels(Guid? WorkspaceId) : IRequest<IReadOnlyList<NotificationChannelView>>;

public sealed record GetNotificationChannel(Guid ChannelId) : IRequest<NotificationChannelView>;

public static class ListNotificationChannelsHandler
{
    public static async Task<Result<IReadOnlyList<NotificationChannelView>>> Handle(ListNotificationChannels query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var allowed = await NotificationAccess.CheckAsync(session, actor, query.WorkspaceId, manage: false, ct);
        if (allowed.Failure is { } refused) return refused;
        var channels = await session.Query<NotificationChannelView>()
            .Where(c => c.WorkspaceId == query.WorkspaceId && !c.Removed).OrderBy(c => c.Name).ToListAsync(ct);
        return Result<IReadOnlyList<NotificationChannelView>>.Ok(channels);
    }
}

public static class GetNotificationChannelHandler
{
    public static Task<Result<NotificationChannelView>> Handle(GetNotificationChannel query, Actor actor, IQuerySession session, CancellationToken ct) =>
        NotificationAccess.ChannelAsync(session, actor, query.ChannelId, manage: false, ct);
}
