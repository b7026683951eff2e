using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Notifications;

/// <summary>A channel's secrets: the webhook URL (it carries the token), the signing key, the SMTP password.</summary>
public sealed record ChannelSecrets([property: Secret] string? Url, [property: Secret] string? SigningKey, [property: Secret] string? SmtpPassword)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public static string NewSigningKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

/// <summary>
/// The secrets, encrypted with ASP.NET Data Protection (keys kept in PostgreSQL) as cluster credentials are: a document
/// beside the channel's stream, never in an event.
/// </summary>
public sealed class NotificationChannelSecret
{
    public const string Purpose = "Cocktail.NotificationChannels.v1";

    public Guid Id { get; set; }
    public string Protected { get; set; } = "";

    public static NotificationChannelSecret Of(Guid channelId, ChannelSecrets secrets, IDataProtectionProvider protection) => new()
    {
        Id = channelId, Protected = protection.CreateProtector(Purpose).Protect(JsonSerializer.Serialize(secrets)),
    };

    public ChannelSecrets Read(IDataProtectionProvider protection) =>
        JsonSerializer.Deserialize<ChannelSecrets>(protection.CreateProtector(Purpose).Unprotect(Protected))!;
}
