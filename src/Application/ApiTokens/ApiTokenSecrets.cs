using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Cocktail.Application.ApiTokens;

/// <summary>
/// Token secrets carry 256 random bits, so a fast SHA-256 is enough to store them safely (unlike passwords, they
/// cannot be guessed from a dictionary) and lets every API call find its token with one key lookup.
/// </summary>
public static class ApiTokenSecrets
{
    public const string Scheme = "ckt_";

    public static string NewSecret() => Scheme + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string PrefixOf(string secret) => secret[..Math.Min(secret.Length, Scheme.Length + 6)];

    public static bool LooksLikeToken(string value) => value.StartsWith(Scheme, StringComparison.Ordinal) && value.Length < 200;
}
