using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications.RemovingChannels;

/// <summary>Removes a channel and forgets its secrets; routes that named it send to their other channels.</summary>
public sealed record RemoveNotificationChannel(Guid ChannelId, string? Reason = null) : IRequest<Accepted>;

public sealed class RemoveNotificationChannelValidator : AbstractValidator<RemoveNotificationChannel>
{
    public RemoveNotificationChannelValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RemoveNotificationChannelHandler
{
    public static async Task<Result<Accepted>> Handle(RemoveNotificationChannel command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var found = await NotificationAccess.ChannelAsync(session, actor, command.ChannelId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var decided = await AggregateStreams.DecideAsync<NotificationChannel>(session, command.ChannelId, null,
            c => c.Remove(actor.Ref, clock.GetUtcNow(), command.Reason), NotificationChannel.NoSuchChannel, ct);
        if (decided.Succeeded) session.Delete<NotificationChannelSecret>(command.ChannelId);
        return decided;
    }
}
