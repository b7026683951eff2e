using Cocktail.Domain.Monitoring;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Notifications.Delivering;

/// <summary>One notification for one channel; <see cref="Attempt"/> counts the tries, each one a message of the durable outbox.</summary>
public sealed record DeliverNotification(
    Guid DeliveryId, Guid ChannelId, Guid? RouteId, string? RouteName, GroupNotification Content, int Attempt = 1, bool Test = false);

/// <summary>The answer of one try: success, or what went wrong and whether trying again may help.</summary>
public sealed record DeliveryOutcome(bool Succeeded, int? StatusCode, string? Error, TimeSpan Duration, bool Transient = false, TimeSpan? RetryAfter = null)
{
    public static DeliveryOutcome Ok(int? status, TimeSpan duration) => new(true, status, null, duration);
}

/// <summary>Sends one notification over HTTP or SMTP (Infrastructure). Never throws for the receiver's answers; never puts a secret in an error.</summary>
public interface INotificationSender
{
    Task<DeliveryOutcome> SendAsync(NotificationChannelView channel, ChannelSecrets secrets, OutgoingNotification notification, CancellationToken ct);
}

/// <summary>Cocktail:Notifications — timeouts and retries of deliveries.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Cocktail:Notifications";

    /// <summary>How long one HTTP request or SMTP conversation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tries in all, the first included, for answers worth retrying (5xx, 429, timeouts, refused connections).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The pause after the first failed try; it doubles after each one (with ±20 % jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A receiver's Retry-After is honoured up to this long.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan DelayBefore(int nextAttempt, TimeSpan? retryAfter, double jitter)
    {
        var backoff = FirstRetryDelay * Math.Pow(2, nextAttempt - 2) * (0.8 + 0.4 * jitter);
        if (backoff > MaxRetryDelay) backoff = MaxRetryDelay;
        if (retryAfter is { } asked && asked > backoff) backoff = asked > MaxRetryAfter ? MaxRetryAfter : asked;
        return backoff;
    }
}

/// <summary>
/// Tries one delivery and records the try in the delivery log. A transient failure sends the next try through the
/// durable outbox, scheduled after an exponential backoff or the receiver's Retry-After, in the same transaction as
/// the log row: Wolverine's own retry policies cannot read a Retry-After, and a crash cannot lose the retry.
/// A 4xx other than 429 is final: the same body would be refused again.
/// </summary>
public static class DeliverNotificationHandler
{
    public static async Task<OutgoingMessages> Handle(DeliverNotification delivery, IDocumentSession session, INotificationSender sender,
        IDataProtectionProvider protection, IOptions<NotificationOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var channel = await session.LoadAsync<NotificationChannelView>(delivery.ChannelId, ct);
        if (channel is null || channel.Removed) return outgoing; // removed since: nobody to tell, nothing to log against
        var now = clock.GetUtcNow();
        var attempt = new NotificationDeliveryAttempt
        {
            Id = Guid.CreateVersion7(), DeliveryId = delivery.DeliveryId, ChannelId = channel.Id, WorkspaceId = channel.WorkspaceId, Attempt = delivery.Attempt,
            At = now, Test = delivery.Test, Status = delivery.Content.Firing ? "firing" : "resolved", AlertCount = delivery.Content.Alerts.Count,
            Alert = delivery.Content.Alerts.FirstOrDefault() is { } first ? $"{first.RuleName}: {first.Summary}" : "", RouteName = delivery.RouteName,
        };
        if (!channel.Enabled && !delivery.Test)
        {
            attempt.Error = "The channel is disabled: not sent.";
            session.Store(attempt);
            return outgoing;
        }

        var secret = await session.LoadAsync<NotificationChannelSecret>(channel.Id, ct);
        var secrets = secret?.Read(protection) ?? new ChannelSecrets(null, null, null);
        var outcome = await sender.SendAsync(channel, secrets,
            new OutgoingNotification(delivery.DeliveryId, channel.Id, channel.Name, channel.WorkspaceName, delivery.RouteName, delivery.Content, delivery.Test, now), ct);
        (attempt.Succeeded, attempt.StatusCode, attempt.Error, attempt.DurationMs) =
            (outcome.Succeeded, outcome.StatusCode, outcome.Error, Math.Round(outcome.Duration.TotalMilliseconds, 1));

        var settings = options.Value;
        if (!outcome.Succeeded && outcome.Transient && delivery.Attempt < settings.MaxAttempts)
        {
            var at = clock.GetUtcNow() + settings.DelayBefore(delivery.Attempt + 1, outcome.RetryAfter, Random.Shared.NextDouble());
            attempt.RetryAt = at;
            outgoing.Add((delivery with { Attempt = delivery.Attempt + 1 }).ScheduledAt(at));
        }
        session.Store(attempt);
        return outgoing;
    }
}
