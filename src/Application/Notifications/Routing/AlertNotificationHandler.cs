using Cocktail.Application.Monitoring;
using Cocktail.Application.Notifications.Delivering;
using Cocktail.Domain.Monitoring;
using Marten;
using JasperFx;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Cocktail.Application.Notifications.Routing;

/// <summary>When a notification group is due to be told (scheduled through the durable outbox).</summary>
public sealed record FlushNotificationGroup(string GroupId, DateTimeOffset DueAt);

/// <summary>
/// Puts a fired or resolved alert into the group of every route of its workspace (or the platform's) that matches it,
/// and schedules the group's flush. The groups are documents with optimistic concurrency: two writes of one group at
/// once make one of them run again on fresh state (the lost-race policy), never overwrite each other.
/// </summary>
public sealed class AlertNotificationHandler
{
    /// <summary>The one local queue that writes notification groups, one message at a time.</summary>
    public const string Queue = "notification-groups";

    /// <summary>
    /// Alerts and flushes write the same group documents, so within a replica they go through one queue, one at a time.
    /// They used to be two queues: when a rule fired on 50 clusters at once, the flushes lost race after race to the
    /// stream of alert writes and waited for scheduled retries (monitoring benchmark: delivery p99 5.7 s against a 2 s
    /// target; before the scheduled retries, flushes went to the error queue and the webhook was never told).
    /// </summary>
    public static void Route(WolverineOptions options)
    {
        options.LocalQueue(Queue).Sequential();
        options.PublishMessage<AlertStateChanged>().ToLocalQueue(Queue);
        options.PublishMessage<FlushNotificationGroup>().ToLocalQueue(Queue);
    }

    /// <summary>
    /// Two replicas still write one group at once now and then: the loser retries quickly on fresh state, and a race
    /// still lost after that comes back from the durable inbox a little later instead of being dropped.
    /// </summary>
    public static void Configure(HandlerChain chain) => RetryLostGroupRaces(chain);

    internal static void RetryLostGroupRaces(HandlerChain chain) =>
        chain.OnException<ConcurrencyException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250))
            .Then.ScheduleRetry(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    public static async Task<OutgoingMessages> Handle(AlertStateChanged alert, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var routes = await session.Query<NotificationRouteView>().Where(r => r.WorkspaceId == alert.WorkspaceId && !r.Removed).ToListAsync(ct);
        var labels = LabelsOf(alert);
        var now = clock.GetUtcNow();
        foreach (var route in routes.Where(r => r.Spec.Matches(alert.Severity, labels)))
        {
            var groupLabels = NotificationGroup.LabelsFor(route.Spec, labels);
            var id = NotificationGroup.IdFor(route.Id, groupLabels);
            var group = await session.LoadAsync<NotificationGroup>(id, ct)
                        ?? new NotificationGroup { Id = id, RouteId = route.Id, WorkspaceId = route.WorkspaceId, GroupLabels = groupLabels };
            var grouped = new GroupedAlert(alert.AlertId, alert.Fingerprint, alert.Firing, alert.RuleName, alert.Severity, alert.ClusterId, alert.ClusterName,
                alert.ServiceMapId, labels, alert.Summary, alert.At);
            if (group.Observe(grouped, route.Spec, now) is { } due) outgoing.Add(Flush(id, due, now));
            if (group.IsEmpty) session.Delete(group);
            else session.Store(group);
        }
        return outgoing;
    }

    /// <summary>
    /// A flush due now (no group wait) goes to the queue at once: a scheduled message waits for Wolverine's polling of
    /// scheduled jobs (seconds), which would delay the first notification for nothing.
    /// </summary>
    public static object Flush(string groupId, DateTimeOffset due, DateTimeOffset now) =>
        due <= now ? new FlushNotificationGroup(groupId, due) : new FlushNotificationGroup(groupId, due).ScheduledAt(due);

    /// <summary>The alert's labels, with the rule's name, severity and cluster as Alertmanager routes see them.</summary>
    public static IReadOnlyDictionary<string, string> LabelsOf(AlertStateChanged alert)
    {
        var labels = new Dictionary<string, string>(alert.Labels);
        labels.TryAdd("alertname", alert.RuleName);
        labels.TryAdd("severity", alert.Severity.ToString().ToLowerInvariant());
        if (alert.ClusterName is not null) labels.TryAdd("cluster", alert.ClusterName);
        return labels;
    }
}

/// <summary>Tells a group's channels what changed since the last notification (routed to the same queue as the alerts).</summary>
public sealed class FlushNotificationGroupHandler
{
    public static void Configure(HandlerChain chain) => AlertNotificationHandler.RetryLostGroupRaces(chain);

    public static async Task<OutgoingMessages> Handle(FlushNotificationGroup flush, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var group = await session.LoadAsync<NotificationGroup>(flush.GroupId, ct);
        if (group is null) return outgoing;
        var route = await session.LoadAsync<NotificationRouteView>(group.RouteId, ct);
        if (route is null || route.Removed)
        {
            session.Delete(group);
            return outgoing;
        }
        var (notification, next) = group.Flush(flush.DueAt, route.Spec, clock.GetUtcNow());
        if (notification is not null)
            foreach (var channelId in route.Spec.ChannelIds)
                outgoing.Add(new DeliverNotification(Guid.CreateVersion7(), channelId, route.Id, route.Name, notification));
        if (next is { } at) outgoing.Add(new FlushNotificationGroup(group.Id, at).ScheduledAt(at));
        if (group.IsEmpty) session.Delete(group);
        else session.Store(group);
        return outgoing;
    }
}
