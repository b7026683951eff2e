using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Notifications.CreatingChannels;

/// <summary>
/// A channel for a workspace (or, with no workspace, for the platform). A webhook channel without a signing key gets a
/// new one, answered once here so the receiver can check signatures; no GET shows it again.
/// </summary>
[Writes]
public sealed record CreateNotificationChannel(
    Guid? WorkspaceId, string? Name, string? Type, [property: Secret] string? Url = null, [property: Secret] string? SigningKey = null, SmtpInput? Smtp = null)
    : IRequest<CreatedNotificationChannel>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record CreatedNotificationChannel(Guid Id, long Version, [property: Secret] string? SigningKey)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class CreateNotificationChannelValidator : AbstractValidator<CreateNotificationChannel>
{
    public CreateNotificationChannelValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the channel.").MaximumLength(100);
        RuleFor(x => x.Type).Must(t => ChannelRules.Type(t) is not null).WithMessage(ChannelRules.TypeRule);
        When(x => ChannelRules.Type(x.Type) is NotificationChannelType.Webhook or NotificationChannelType.Slack or NotificationChannelType.Teams, () =>
        {
            RuleFor(x => x.Url).NotEmpty().WithMessage("A webhook channel needs its URL.");
            ChannelRules.Url(RuleFor(x => x.Url));
        });
        RuleFor(x => x.SigningKey).Length(16, 256).When(x => x.SigningKey is not null).WithMessage("A signing key has 16 to 256 characters.");
        When(x => ChannelRules.Type(x.Type) == NotificationChannelType.Email, () =>
        {
            RuleFor(x => x.Smtp).NotNull().WithMessage("An e-mail channel needs its SMTP server.");
            RuleFor(x => x.Smtp!).SetValidator(new SmtpInputValidator()).When(x => x.Smtp is not null);
        });
    }
}

public static class CreateNotificationChannelHandler
{
    public static async Task<Result<CreatedNotificationChannel>> Handle(CreateNotificationChannel command, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct)
    {
        var scope = await NotificationAccess.CheckAsync(session, actor, command.WorkspaceId, manage: true, ct);
        if (scope.Failure is { } refused) return refused;
        var name = command.Name!.Trim();
        if (await session.Query<NotificationChannelView>().AnyAsync(c => c.WorkspaceId == command.WorkspaceId && c.Name == name && !c.Removed, ct))
            return new Failure(FailureKind.Conflict, $"A channel named '{name}' exists already.",
                new Dictionary<string, string[]> { ["name"] = [$"A channel named '{name}' exists already."] });

        var type = ChannelRules.Type(command.Type)!.Value;
        var email = type == NotificationChannelType.Email;
        var signingKey = type == NotificationChannelType.Webhook ? command.SigningKey ?? ChannelSecrets.NewSigningKey() : null;
        var secrets = new ChannelSecrets(email ? null : command.Url!.Trim(), signingKey, email ? NullIfEmpty(command.Smtp?.Password) : null);
        var smtp = email ? command.Smtp!.ToSettings() : null;
        var hints = Hints(secrets);

        var id = Guid.CreateVersion7();
        var decision = NotificationChannel.Create(id, command.WorkspaceId, scope.Value, name, type, smtp, hints, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<NotificationChannel>(id, decision.Events.ToArray());
        session.Store(NotificationChannelSecret.Of(id, secrets, protection));
        return new CreatedNotificationChannel(id, decision.Events.Count, command.SigningKey is null ? signingKey : null);
    }

    public static ChannelSecretHints Hints(ChannelSecrets secrets) =>
        new(ChannelSecretHints.HostEnding(secrets.Url), secrets.SigningKey is not null, secrets.SmtpPassword is not null);

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
