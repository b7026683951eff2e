using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Domain.Common;

namespace Cocktail.Application.Logs.SettingUpCollection;

/// <summary>
/// A cluster's token for sending logs over OTLP: only its hash is kept (the token is shown once, when created), looked
/// up by that hash on every request, which is how a request names its cluster.
/// </summary>
public sealed class ClusterLogToken
{
    /// <summary>The cluster's id.</summary>
    public Guid Id { get; set; }
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A cluster got a new log token: its first, or one replacing the old one, which is refused from then on.</summary>
public sealed record LogIngestTokenCreated(Guid ClusterId, string ClusterName, bool Replaced, ActorRef By, DateTimeOffset At);

public static class LogIngestTokens
{
    /// <summary>Every log token starts so: the API token handler leaves such bearer tokens to the receiver.</summary>
    public const string Scheme = "ckl_";

    public static string New() => Scheme + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    public static string Hash(string token) => ApiTokenSecrets.Hash(token);

    public static bool Matches(ClusterLogToken stored, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.TokenHash), Encoding.ASCII.GetBytes(Hash(presented)));
}
