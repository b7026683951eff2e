using Cocktail.Domain.Monitoring;

namespace Cocktail.Application.Notifications;

/// <summary>A channel as anyone who may read it sees it: settings and hints, never a URL, key or password.</summary>
public sealed class NotificationChannelView
{
    public Guid Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public string? WorkspaceName { get; set; }
    public string Name { get; set; } = "";
    public NotificationChannelType Type { get; set; }
    public bool Enabled { get; set; } = true;
    public SmtpSettings? Smtp { get; set; }
    public ChannelSecretHints Secrets { get; set; } = ChannelSecretHints.None;
    public bool Removed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }
    public long Version { get; set; }

    public static NotificationChannelView Create(NotificationChannelCreated e) => new()
    {
        Id = e.ChannelId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, Name = e.Name, Type = e.Type, Smtp = e.Smtp,
        Secrets = e.Secrets, CreatedAt = e.CreatedAt,
    };

    public void Apply(NotificationChannelChanged e)
    {
        (Name, Enabled, Smtp, Secrets, ChangedAt) = (e.Name, e.Enabled, e.Smtp, e.Secrets, e.ChangedAt);
    }

    public void Apply(NotificationChannelRemoved e)
    {
        (Removed, ChangedAt) = (true, e.RemovedAt);
    }
}

public sealed class NotificationRouteView
{
    public Guid Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public string Name { get; set; } = "";
    public RouteSpec Spec { get; set; } = new([], [], [], [], TimeSpan.Zero, TimeSpan.FromHours(4), true);
    public bool Removed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long Version { get; set; }

    public static NotificationRouteView Create(NotificationRouteCreated e) => new()
    {
        Id = e.RouteId, WorkspaceId = e.WorkspaceId, Name = e.Name, Spec = e.Spec, CreatedAt = e.CreatedAt,
    };

    public void Apply(NotificationRouteChanged e)
    {
        (Name, Spec) = (e.Name, e.Spec);
    }

    public void Apply(NotificationRouteRemoved _) => Removed = true;
}

/// <summary>
/// One attempt to deliver one notification to one channel, and its answer. Kept as a document per attempt rather
/// than as events: it is what a channel observed, read by the delivery log, not a decision of the platform.
/// </summary>
public sealed class NotificationDeliveryAttempt
{
    public Guid Id { get; set; }
    public Guid DeliveryId { get; set; }
    public Guid ChannelId { get; set; }
    public Guid? WorkspaceId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Succeeded { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public double DurationMs { get; set; }
    public bool Test { get; set; }
    /// <summary>"firing" or "resolved".</summary>
    public string Status { get; set; } = "";
    public int AlertCount { get; set; }
    /// <summary>The first alert: its rule and summary.</summary>
    public string Alert { get; set; } = "";
    public string? RouteName { get; set; }
    /// <summary>When the next attempt runs, when this one failed in a way worth retrying.</summary>
    public DateTimeOffset? RetryAt { get; set; }
}
