using Cocktail.Application.Common;
using Cocktail.Application.Notifications.Delivering;
using Cocktail.Domain.Monitoring;
using Marten;
using Wolverine;

namespace Cocktail.Application.Notifications.Testing;

/// <summary>
/// Sends a made-up firing alert to one channel, through the same outbox, retries and delivery log as real alerts.
/// Answers the delivery's id: its tries appear in the channel's delivery log.
/// </summary>
public sealed record SendTestNotification(Guid ChannelId) : IRequest<Accepted>;

public static class SendTestNotificationHandler
{
    public const string RuleName = "CocktailTestNotification";

    public static async Task<Result<Accepted>> Handle(SendTestNotification command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await NotificationAccess.ChannelAsync(session, actor, command.ChannelId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var channel = found.Value!;
        var now = clock.GetUtcNow();
        var labels = new Dictionary<string, string> { ["alertname"] = RuleName, ["severity"] = "info" };
        var alert = new GroupedAlert(Guid.CreateVersion7(), "test-" + channel.Id.ToString("N"), true, RuleName, AlertSeverity.Info, null, null, null, labels,
            $"Test notification for the channel {channel.Name}, sent by {actor.UserName}.", now);
        var deliveryId = Guid.CreateVersion7();
        await messages.PublishAsync(new DeliverNotification(deliveryId, channel.Id, null, null, new GroupNotification(new Dictionary<string, string>(), [alert]),
            Test: true));
        return new Accepted(deliveryId, channel.Version);
    }
}
