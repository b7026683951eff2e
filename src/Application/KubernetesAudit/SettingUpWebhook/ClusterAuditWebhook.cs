using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Domain.Common;

namespace Cocktail.Application.KubernetesAudit.SettingUpWebhook;

/// <summary>A cluster's audit webhook secret: hashed for checking every batch fast, encrypted so the page can show it again.</summary>
public sealed class ClusterAuditWebhook
{
    public Guid Id { get; set; }
    public string SecretHash { get; set; } = "";
    public string ProtectedSecret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A cluster got a new audit webhook secret (its first, or one replacing the old, which stops working at once).</summary>
public sealed record AuditWebhookSecretCreated(Guid ClusterId, string ClusterName, ActorRef By, DateTimeOffset At);

public static class AuditWebhookSecrets
{
    /// <summary>The Data Protection purpose the secret is encrypted for.</summary>
    public const string Purpose = "Cocktail.AuditWebhook.v1";

    public static string New() => "cka_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    public static string Hash(string secret) => ApiTokenSecrets.Hash(secret);

    public static bool Matches(ClusterAuditWebhook webhook, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(webhook.SecretHash), Encoding.ASCII.GetBytes(Hash(presented)));
}
