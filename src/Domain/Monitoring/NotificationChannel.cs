using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

public enum NotificationChannelType
{
    /// <summary>A JSON body with the alerts, signed with HMAC-SHA256 under the channel's key.</summary>
    Webhook,
    /// <summary>A Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): <c>text</c> and blocks.</summary>
    Slack,
    /// <summary>A Microsoft Teams incoming webhook (or Workflows URL): a message with an Adaptive Card.</summary>
    Teams,
    /// <summary>E-mail over SMTP.</summary>
    Email,
}

/// <summary>How an e-mail channel talks to its SMTP server: plain (a local relay), STARTTLS, or TLS from the start.</summary>
public enum SmtpTlsMode
{
    None,
    StartTls,
    Tls,
}

/// <summary>An e-mail channel's settings without its password, which is a secret kept apart.</summary>
public sealed record SmtpSettings(string Host, int Port, SmtpTlsMode TlsMode, string? UserName, string From, IReadOnlyList<string> To);

/// <summary>
/// What may be shown about a channel's secrets: the last characters of the URL's host, and whether a signing key and
/// a password are set. Never the secrets themselves.
/// </summary>
public sealed record ChannelSecretHints(string? UrlHostEnding, bool SigningKeySet, bool PasswordSet)
{
    public static readonly ChannelSecretHints None = new(null, false, false);

    /// <summary>At most the last four characters of the host: enough to tell two channels apart, not to guess the URL.</summary>
    public static string? HostEnding(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? "…" + (uri.Host.Length <= 4 ? uri.Host : uri.Host[^4..]) : null;
}

/// <summary>A place a workspace's alerts (or, with no workspace, the platform's) are sent to.</summary>
public sealed record NotificationChannelCreated(
    Guid ChannelId, Guid? WorkspaceId, string? WorkspaceName, string Name, NotificationChannelType Type, SmtpSettings? Smtp,
    ChannelSecretHints Secrets, ActorRef CreatedBy, DateTimeOffset CreatedAt);

/// <summary>Name, settings or secrets changed; <see cref="SecretsReplaced"/> says whether new secrets were given (never which).</summary>
public sealed record NotificationChannelChanged(
    Guid ChannelId, Guid? WorkspaceId, string Name, bool Enabled, SmtpSettings? Smtp, ChannelSecretHints Secrets, bool SecretsReplaced,
    ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record NotificationChannelRemoved(Guid ChannelId, Guid? WorkspaceId, string Name, ActorRef RemovedBy, DateTimeOffset RemovedAt, string? Reason);

public sealed record NotificationChannel(
    Guid Id, Guid? WorkspaceId, string Name, NotificationChannelType Type, bool Enabled, SmtpSettings? Smtp, ChannelSecretHints Secrets, bool Removed)
{
    public const string NoSuchChannel = "No such notification channel.";

    public static Decision Create(Guid id, Guid? workspaceId, string? workspaceName, string name, NotificationChannelType type, SmtpSettings? smtp,
        ChannelSecretHints secrets, ActorRef by, DateTimeOffset at)
    {
        if (Refusal(type, smtp, secrets) is { } refused) return refused;
        return Decision.Accept(new NotificationChannelCreated(id, workspaceId, workspaceName, name.Trim(), type, type == NotificationChannelType.Email ? smtp : null,
            secrets, by, at));
    }

    /// <summary>The type never changes: a Slack URL in a Teams channel would be sent a body it does not read.</summary>
    public Decision Change(string name, bool enabled, SmtpSettings? smtp, ChannelSecretHints secrets, bool secretsReplaced, ActorRef by, DateTimeOffset at)
    {
        if (Removed) return DomainError.NotFound(NoSuchChannel);
        if (Refusal(Type, smtp, secrets) is { } refused) return refused;
        smtp = Type == NotificationChannelType.Email ? smtp : null;
        var same = name.Trim() == Name && enabled == Enabled && SameSmtp(smtp, Smtp) && secrets == Secrets && !secretsReplaced;
        return same ? Decision.Nothing
            : Decision.Accept(new NotificationChannelChanged(Id, WorkspaceId, name.Trim(), enabled, smtp, secrets, secretsReplaced, by, at));
    }

    public Decision Remove(ActorRef by, DateTimeOffset at, string? reason) =>
        Removed ? DomainError.NotFound(NoSuchChannel) : Decision.Accept(new NotificationChannelRemoved(Id, WorkspaceId, Name, by, at, RemovalReason.Optional(reason)));

    private static DomainError? Refusal(NotificationChannelType type, SmtpSettings? smtp, ChannelSecretHints secrets) => type switch
    {
        NotificationChannelType.Email when smtp is null => DomainError.Invalid("An e-mail channel needs its SMTP server.", "smtp"),
        NotificationChannelType.Email when smtp.To.Count == 0 => DomainError.Invalid("An e-mail channel needs at least one recipient.", "smtp.to"),
        NotificationChannelType.Email when smtp.UserName is not null && !secrets.PasswordSet =>
            DomainError.Invalid("An SMTP user needs its password.", "smtp.password"),
        not NotificationChannelType.Email when secrets.UrlHostEnding is null => DomainError.Invalid("A webhook channel needs its URL.", "url"),
        NotificationChannelType.Webhook when !secrets.SigningKeySet => DomainError.Invalid("A webhook channel signs with a key.", "signingKey"),
        _ => null,
    };

    private static bool SameSmtp(SmtpSettings? a, SmtpSettings? b) =>
        a is null || b is null ? a == b : a with { To = [] } == b with { To = [] } && a.To.SequenceEqual(b.To);

    public static NotificationChannel Create(NotificationChannelCreated e) => new(e.ChannelId, e.WorkspaceId, e.Name, e.Type, true, e.Smtp, e.Secrets, false);

    public NotificationChannel Apply(NotificationChannelChanged e) => this with { Name = e.Name, Enabled = e.Enabled, Smtp = e.Smtp, Secrets = e.Secrets };

    public NotificationChannel Apply(NotificationChannelRemoved _) => this with { Removed = true };
}
