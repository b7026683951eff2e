using Cocktail.Domain.Monitoring;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Notifications;

/// <summary>
/// Channels and routes are event-sourced; their secrets, the notification groups and the delivery log are documents
/// (the secrets encrypted, the groups with optimistic concurrency, the log one row per try).
/// </summary>
public static class Configuration
{
    public static void AddNotifications(this StoreOptions options)
    {
        options.Projections.Snapshot<NotificationChannelView>(SnapshotLifecycle.Inline);
        options.Schema.For<NotificationChannelView>().Index(c => c.WorkspaceId);
        options.Projections.Snapshot<NotificationRouteView>(SnapshotLifecycle.Inline);
        options.Schema.For<NotificationRouteView>().Index(r => r.WorkspaceId);
        options.Schema.For<NotificationChannelSecret>();
        options.Schema.For<NotificationGroup>().Identity(g => g.Id).UseOptimisticConcurrency(true);
        options.Schema.For<NotificationDeliveryAttempt>().Index(a => a.ChannelId).Index(a => a.At);
        options.Events.AddEventTypes([
            typeof(NotificationChannelCreated), typeof(NotificationChannelChanged), typeof(NotificationChannelRemoved),
            typeof(NotificationRouteCreated), typeof(NotificationRouteChanged), typeof(NotificationRouteRemoved),
        ]);
    }
}
