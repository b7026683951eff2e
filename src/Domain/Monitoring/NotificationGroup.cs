namespace Cocktail.Domain.Monitoring;

/// <summary>One alert as a notification group holds it: its latest state and whether that state was notified yet.</summary>
public sealed record GroupedAlert(
    Guid AlertId, string Fingerprint, bool Firing, string RuleName, AlertSeverity Severity, Guid? ClusterId, string? ClusterName, Guid? ServiceMapId,
    IReadOnlyDictionary<string, string> Labels, string Summary, DateTimeOffset At, bool Notified = false, bool FiringNotified = false);

/// <summary>What one flush of a group sends to each of the route's channels.</summary>
public sealed record GroupNotification(IReadOnlyDictionary<string, string> GroupLabels, IReadOnlyList<GroupedAlert> Alerts)
{
    /// <summary>Firing while any alert of the group fires, as Alertmanager says of a group.</summary>
    public bool Firing => Alerts.Any(a => a.Firing);
}

/// <summary>
/// The alerts of one route that share the values of its group-by labels, and when to notify them next. Observed
/// state, not events: kept as a document, and decided on here without I/O. Alertmanager's grouping, simplified:
/// a change to the group is notified <see cref="RouteSpec.GroupWait"/> after it, with every alert of the group;
/// a group that keeps firing is notified again every <see cref="RouteSpec.RepeatInterval"/>.
/// </summary>
public sealed class NotificationGroup
{
    public string Id { get; set; } = "";
    public Guid RouteId { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Dictionary<string, string> GroupLabels { get; set; } = [];
    public List<GroupedAlert> Alerts { get; set; } = [];
    /// <summary>The flush that counts; a scheduled flush for any other time is stale and does nothing.</summary>
    public DateTimeOffset? NextFlushAt { get; set; }
    public DateTimeOffset? LastNotifiedAt { get; set; }

    public static string IdFor(Guid routeId, IReadOnlyDictionary<string, string> groupLabels) =>
        routeId.ToString("N") + (groupLabels.Count == 0 ? "" : "|" + string.Join("|", groupLabels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));

    public static Dictionary<string, string> LabelsFor(RouteSpec spec, IReadOnlyDictionary<string, string> labels) =>
        spec.GroupBy.Distinct().ToDictionary(name => name, name => labels.GetValueOrDefault(name) ?? "");

    /// <summary>
    /// Takes an alert's new state. Answers the time of a flush to schedule, or null when the one already scheduled
    /// comes soon enough (or nothing needs telling: an alert that resolved before anyone heard of it firing).
    /// </summary>
    public DateTimeOffset? Observe(GroupedAlert alert, RouteSpec spec, DateTimeOffset now)
    {
        var index = Alerts.FindIndex(a => a.Fingerprint == alert.Fingerprint);
        var known = index >= 0 ? Alerts[index] : null;
        if (known is not null && known.Firing == alert.Firing) return null; // told already, or a duplicate message
        if (!alert.Firing && (known is null || !known.FiringNotified || !spec.SendResolved))
        {
            // Nobody was told it fired (or the route does not tell resolutions): it simply leaves the group.
            if (known is not null) Alerts.RemoveAt(index);
            return null;
        }
        var next = alert with { Notified = false, FiringNotified = known?.FiringNotified ?? false };
        if (known is null) Alerts.Add(next);
        else Alerts[index] = next;
        var due = now + spec.GroupWait;
        if (NextFlushAt is { } scheduled && scheduled <= due) return null;
        NextFlushAt = due;
        return due;
    }

    /// <summary>
    /// The flush due at <paramref name="dueAt"/>: the notification to send (or null), and the next flush to schedule.
    /// Resolved alerts leave the group once notified; a group with nothing left is empty (the caller deletes it).
    /// </summary>
    public (GroupNotification? Notification, DateTimeOffset? NextFlush) Flush(DateTimeOffset dueAt, RouteSpec spec, DateTimeOffset now)
    {
        if (NextFlushAt != dueAt) return (null, null);
        var changed = Alerts.Any(a => !a.Notified);
        // The due time, not the clock, decides: a flush that runs a little early must not reschedule itself for the same time.
        var repeatDue = LastNotifiedAt is { } last && dueAt >= last + spec.RepeatInterval && Alerts.Any(a => a.Firing);
        GroupNotification? notification = null;
        if (changed || repeatDue)
        {
            notification = new GroupNotification(new Dictionary<string, string>(GroupLabels), Alerts.ToList());
            LastNotifiedAt = now;
            Alerts = Alerts.Where(a => a.Firing).Select(a => a with { Notified = true, FiringNotified = true }).ToList();
        }
        NextFlushAt = Alerts.Any(a => a.Firing) && LastNotifiedAt is { } notified ? notified + spec.RepeatInterval : null;
        return (notification, NextFlushAt);
    }

    public bool IsEmpty => Alerts.Count == 0 && NextFlushAt is null;
}
