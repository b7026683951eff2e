using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;

namespace Cocktail.Application.Notifications;

/// <summary>An e-mail channel's SMTP server as a client sends it; the password is a secret.</summary>
public sealed record SmtpInput(
    string? Host = null, int? Port = null, string? TlsMode = null, string? UserName = null, [property: Secret] string? Password = null,
    string? From = null, IReadOnlyList<string>? To = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public SmtpSettings ToSettings() => new(Host!.Trim(), Port ?? 587, ChannelRules.TlsMode(TlsMode) ?? SmtpTlsMode.StartTls,
        string.IsNullOrWhiteSpace(UserName) ? null : UserName.Trim(), From!.Trim(), (To ?? []).Select(t => t.Trim()).ToList());
}

public static class ChannelRules
{
    public static NotificationChannelType? Type(string? type) =>
        Enum.TryParse<NotificationChannelType>(type, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(type, out _) ? parsed : null;

    public static SmtpTlsMode? TlsMode(string? mode) =>
        Enum.TryParse<SmtpTlsMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(mode, out _) ? parsed : null;

    public static readonly string TypeRule = $"The type is one of {string.Join(", ", Enum.GetNames<NotificationChannelType>())}.";

    /// <summary>Only http and https: no file:, no ftp:, no relative URLs.</summary>
    public static bool IsWebUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    public static void Url<T>(IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(2000).Must(IsWebUrl).WithMessage("The URL is an absolute http or https URL.");

    public static void SigningKey<T>(IRuleBuilder<T, string?> rule) =>
        rule.Length(16, 256).WithMessage("A signing key has 16 to 256 characters.");

    public static void Name<T>(IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("Name the channel.").MaximumLength(100);
}

public sealed class SmtpInputValidator : AbstractValidator<SmtpInput>
{
    public SmtpInputValidator()
    {
        RuleFor(x => x.Host).NotEmpty().WithMessage("Name the SMTP server.").MaximumLength(253)
            .Must(h => h is null || Uri.CheckHostName(h.Trim()) != UriHostNameType.Unknown).WithMessage("Not a host name or address.");
        RuleFor(x => x.Port).InclusiveBetween(1, 65535);
        RuleFor(x => x.TlsMode).Must(m => m is null || ChannelRules.TlsMode(m) is not null)
            .WithMessage($"TLS mode is one of {string.Join(", ", Enum.GetNames<SmtpTlsMode>())}.");
        RuleFor(x => x.UserName).MaximumLength(256);
        RuleFor(x => x.Password).MaximumLength(1024);
        RuleFor(x => x.From).NotEmpty().WithMessage("Say who the mail is from.").EmailAddress().MaximumLength(320);
        RuleFor(x => x.To).NotEmpty().WithMessage("Name at least one recipient.").Must(t => t is null || t.Count <= 50).WithMessage("At most 50 recipients.");
        RuleForEach(x => x.To).NotEmpty().EmailAddress().MaximumLength(320);
    }
}
