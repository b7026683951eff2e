using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Auth;

/// <summary>Compact RS256 JWS, enough for service-account tokens; avoids pulling an identity framework into a test double.</summary>
public static class Jwt
{
    public static string Sign(JsonObject claims, RSA key, string keyId)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = keyId };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                           Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The claims when the signature verifies with <paramref name="key"/>, otherwise null.</summary>
    public static JsonObject? Verify(string token, RSA key)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "RS256") return null;
            var ok = key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return ok ? JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject : null;
        }
        catch (FormatException) { return null; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("eyJ", StringComparison.Ordinal);

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        return Convert.FromBase64String(s);
    }
}
