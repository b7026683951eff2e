using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Certificates;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Auth;

/// <summary>
/// The authenticator chain of a kube-apiserver as configured here: static bearer tokens (the admin token and tokens
/// tests mint), bound service-account JWTs, and x509 client certificates signed by the cluster CA. Presented but
/// invalid credentials are 401; no credentials at all make the request anonymous (as with --anonymous-auth=true),
/// which RBAC then lets see only /version, /healthz and the like.
/// </summary>
public sealed class Authenticator(
    TokenIssuer issuer,
    ClusterCertificateAuthority ca,
    Func<string, string, string?> serviceAccountUid,
    TimeProvider time,
    bool anonymousAuth)
{
    readonly ConcurrentDictionary<string, UserInfo> _staticTokens = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _revokedTokens = new(StringComparer.Ordinal);

    public void AddStaticToken(string token, UserInfo user) => _staticTokens[token] = user;

    /// <summary>Makes a previously valid token answer 401 from now on.</summary>
    public void Revoke(string token)
    {
        _staticTokens.TryRemove(token, out _);
        _revokedTokens[token] = true;
    }

    public UserInfo Authenticate(string? authorizationHeader, X509Certificate2? clientCertificate)
    {
        if (!string.IsNullOrEmpty(authorizationHeader))
        {
            if (!authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) throw ApiException.Unauthorized();
            return AuthenticateToken(authorizationHeader["Bearer ".Length..].Trim(), ApiServerAudiencesOnly)
                   ?? throw ApiException.Unauthorized();
        }
        if (clientCertificate is not null)
        {
            if (!ca.Verifies(clientCertificate, time.GetUtcNow())) throw ApiException.Unauthorized();
            return FromCertificate(clientCertificate);
        }
        return anonymousAuth ? UserInfo.Anonymous : throw ApiException.Unauthorized();
    }

    static readonly IReadOnlyList<string> ApiServerAudiencesOnly = TokenIssuer.ApiServerAudiences;

    /// <summary>The user behind a bearer token, or null; also what TokenReview answers with.</summary>
    public UserInfo? AuthenticateToken(string token, IReadOnlyList<string> acceptedAudiences)
    {
        if (_revokedTokens.ContainsKey(token)) return null;
        if (_staticTokens.TryGetValue(token, out var staticUser)) return staticUser;
        if (!Jwt.LooksLikeJwt(token)) return null;
        var claims = issuer.Verify(token);
        if (claims is null || issuer.IsExpired(claims)) return null;
        if (claims.Str("iss") == "kubesim")
        {
            var groups = claims["groups"] is JsonArray g ? g.Select(x => x!.GetValue<string>()) : [];
            return UserInfo.Authenticated(claims.Str("sub") ?? "", groups);
        }
        return AuthenticateServiceAccount(claims, acceptedAudiences);
    }

    /// <summary>Bound tokens die with their ServiceAccount: the uid in the token must still be the live object's uid.</summary>
    UserInfo? AuthenticateServiceAccount(JsonObject claims, IReadOnlyList<string> acceptedAudiences)
    {
        var audiences = claims["aud"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [];
        if (!audiences.Intersect(acceptedAudiences).Any()) return null;
        var ns = claims.Str("kubernetes.io", "namespace");
        var name = claims.Str("kubernetes.io", "serviceaccount", "name");
        var uid = claims.Str("kubernetes.io", "serviceaccount", "uid");
        if (ns is null || name is null || uid is null) return null;
        if (serviceAccountUid(ns, name) != uid) return null;
        return UserInfo.ForServiceAccount(ns, name, uid) with
        {
            Extra = new Dictionary<string, string[]>
            {
                ["authentication.kubernetes.io/credential-id"] = [$"JTI={claims.Str("jti")}"],
            },
        };
    }

    static UserInfo FromCertificate(X509Certificate2 certificate)
    {
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(v => v.Length > 0);
        return UserInfo.Authenticated(cn, groups);
    }
}
