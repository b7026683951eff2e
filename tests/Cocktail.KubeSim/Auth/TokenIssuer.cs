using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Auth;

/// <summary>
/// Signs and checks the cluster's JWTs: bound service-account tokens (TokenRequest) and the extra user tokens tests
/// mint. One RSA key per cluster, created on first use so that clusters which never issue tokens pay nothing.
/// </summary>
public sealed class TokenIssuer(TimeProvider time) : IDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public static readonly string[] ApiServerAudiences = [Issuer];

    readonly Lazy<RSA> _key = new(() => RSA.Create(2048));
    string? _keyId;

    RSA Key => _key.Value;

    string KeyId => _keyId ??= Convert.ToHexString(SHA256.HashData(Key.ExportSubjectPublicKeyInfo()))[..40].ToLowerInvariant();

    public (string Token, DateTimeOffset ExpiresAt) IssueServiceAccountToken(
        string ns, string serviceAccount, string serviceAccountUid, IReadOnlyList<string> audiences, long expirationSeconds,
        JsonObject? boundObject)
    {
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(expirationSeconds);
        var kubernetesClaim = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = serviceAccount, ["uid"] = serviceAccountUid },
        };
        if (boundObject?.Str("kind") is { } boundKind && boundObject.Str("name") is { } boundName)
            kubernetesClaim[boundKind.ToLowerInvariant()] = new JsonObject { ["name"] = boundName, ["uid"] = boundObject.Str("uid") ?? "" };
        var claims = new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode)a!).ToArray()),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = kubernetesClaim,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = $"system:serviceaccount:{ns}:{serviceAccount}",
        };
        return (Jwt.Sign(claims, Key, KeyId), expires);
    }

    /// <summary>A token for an arbitrary user; <c>exp</c> is set only when <paramref name="expiresAt"/> is given.</summary>
    public string IssueUserToken(string user, IEnumerable<string> groups, DateTimeOffset? expiresAt)
    {
        var now = time.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = "kubesim",
            ["sub"] = user,
            ["groups"] = new JsonArray(groups.Select(g => (JsonNode)g!).ToArray()),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (expiresAt is { } exp) claims["exp"] = exp.ToUnixTimeSeconds();
        return Jwt.Sign(claims, Key, KeyId);
    }

    public JsonObject? Verify(string token) => _key.IsValueCreated || Jwt.LooksLikeJwt(token) ? Jwt.Verify(token, Key) : null;

    public bool IsExpired(JsonObject claims) =>
        claims.Long("exp") is { } exp && time.GetUtcNow().ToUnixTimeSeconds() >= exp;

    public void Dispose()
    {
        if (_key.IsValueCreated) _key.Value.Dispose();
    }
}
