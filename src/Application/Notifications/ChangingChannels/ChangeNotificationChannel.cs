using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Notifications.CreatingChannels;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Notifications.ChangingChannels;

/// <summary>
/// Changes what is given and keeps the rest: a missing URL, key or password keeps the one stored, since the client
/// never saw it. The type does not change; remove the channel and create another.
/// </summary>
public sealed record ChangeNotificationChannel(
    Guid ChannelId, string? Name = null, bool? Enabled = null, [property: Secret] string? Url = null, [property: Secret] string? SigningKey = null,
    SmtpInput? Smtp = null, long? ExpectedVersion = null) : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class ChangeNotificationChannelValidator : AbstractValidator<ChangeNotificationChannel>
{
    public ChangeNotificationChannelValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the channel.").MaximumLength(100).When(x => x.Name is not null);
        RuleFor(x => x.Url).MaximumLength(2000).Must(ChannelRules.IsWebUrl).WithMessage("The URL is an absolute http or https URL.").When(x => x.Url is not null);
        RuleFor(x => x.SigningKey).Length(16, 256).When(x => x.SigningKey is not null).WithMessage("A signing key has 16 to 256 characters.");
        RuleFor(x => x.Smtp!).SetValidator(new SmtpInputValidator()).When(x => x.Smtp is not null);
    }
}

public static class ChangeNotificationChannelHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeNotificationChannel command, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct)
    {
        var found = await NotificationAccess.ChannelAsync(session, actor, command.ChannelId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var channel = found.Value!;
        var name = command.Name?.Trim() ?? channel.Name;
        if (name != channel.Name &&
            await session.Query<NotificationChannelView>().AnyAsync(c => c.WorkspaceId == channel.WorkspaceId && c.Name == name && !c.Removed, ct))
            return new Failure(FailureKind.Conflict, $"A channel named '{name}' exists already.",
                new Dictionary<string, string[]> { ["name"] = [$"A channel named '{name}' exists already."] });

        var stored = await session.LoadAsync<NotificationChannelSecret>(channel.Id, ct);
        var current = stored?.Read(protection) ?? new ChannelSecrets(null, null, null);
        var email = channel.Type == NotificationChannelType.Email;
        var smtp = email ? command.Smtp?.ToSettings() ?? channel.Smtp : null;
        var password = email && smtp?.UserName is null ? null : CreateNotificationChannelHandler.NullIfEmpty(command.Smtp?.Password) ?? current.SmtpPassword;
        var secrets = new ChannelSecrets(
            email ? null : command.Url?.Trim() ?? current.Url,
            channel.Type == NotificationChannelType.Webhook ? command.SigningKey ?? current.SigningKey : null,
            email ? password : null);
        var replaced = secrets != current;

        var decided = await AggregateStreams.DecideAsync<NotificationChannel>(session, channel.Id, command.ExpectedVersion,
            c => c.Change(name, command.Enabled ?? channel.Enabled, smtp, CreateNotificationChannelHandler.Hints(secrets), replaced, actor.Ref, clock.GetUtcNow()),
            NotificationChannel.NoSuchChannel, ct);
        if (decided.Succeeded && replaced) session.Store(NotificationChannelSecret.Of(channel.Id, secrets, protection));
        return decided;
    }
}
