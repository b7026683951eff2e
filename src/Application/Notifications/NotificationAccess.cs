using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Notifications;

/// <summary>
/// A workspace's channels and routes: its members read them, its admins (and platform admins) change them. The
/// platform's (no workspace): platform admins and auditors read, platform admins change.
/// </summary>
public static class NotificationAccess
{
    /// <summary>Answers the workspace's name (null for the platform) when the actor may read, or manage, its notifications.</summary>
    public static async Task<Result<string?>> CheckAsync(IQuerySession session, Actor actor, Guid? workspaceId, bool manage, CancellationToken ct)
    {
        if (workspaceId is not { } id)
        {
            if (manage ? actor.IsPlatformAdmin : actor.CanReadEverything) return Result<string?>.Ok(null);
            return Failure.Forbidden("Only platform admins manage the platform's notifications.");
        }
        var workspace = await TenancyAccess.LoadAsync(session, actor, id, manage ? TenancyAccess.CanManage : null, ct);
        return workspace.Failure is { } failure ? failure : Result<string?>.Ok(workspace.Value!.Name);
    }

    /// <summary>A channel the actor may read (or manage); someone who may not read it is told it does not exist.</summary>
    public static async Task<Result<NotificationChannelView>> ChannelAsync(IQuerySession session, Actor actor, Guid channelId, bool manage, CancellationToken ct)
    {
        var channel = await session.LoadAsync<NotificationChannelView>(channelId, ct);
        if (channel is null || channel.Removed) return Failure.NotFound(Domain.Monitoring.NotificationChannel.NoSuchChannel);
        var allowed = await CheckAsync(session, actor, channel.WorkspaceId, manage: false, ct);
        if (!allowed.Succeeded) return Failure.NotFound(Domain.Monitoring.NotificationChannel.NoSuchChannel);
        if (manage && await CheckAsync(session, actor, channel.WorkspaceId, manage: true, ct) is { Failure: { } refused }) return refused;
        return channel;
    }

    public static async Task<Result<NotificationRouteView>> RouteAsync(IQuerySession session, Actor actor, Guid routeId, bool manage, CancellationToken ct)
    {
        var route = await session.LoadAsync<NotificationRouteView>(routeId, ct);
        if (route is null || route.Removed) return Failure.NotFound(Domain.Monitoring.NotificationRoute.NoSuchRoute);
        var allowed = await CheckAsync(session, actor, route.WorkspaceId, manage: false, ct);
        if (!allowed.Succeeded) return Failure.NotFound(Domain.Monitoring.NotificationRoute.NoSuchRoute);
        if (manage && await CheckAsync(session, actor, route.WorkspaceId, manage: true, ct) is { Failure: { } refused }) return refused;
        return route;
    }
}
