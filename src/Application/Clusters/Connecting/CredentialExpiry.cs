using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Cocktail.Application.Clusters.Connecting;

/// <summary>
/// When a credential stops working, where it says so itself: a JWT's `exp` claim or a client certificate's
/// notAfter. Opaque tokens have no known expiry.
/// </summary>
public static class CredentialExpiry
{
    public static DateTimeOffset? Of(ClusterConnection connection) =>
        connection.ClientCertificateData is { } certificate ? CertificateNotAfter(certificate) : JwtExpiry(connection.Token);

    public static DateTimeOffset? JwtExpiry(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 }) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload), new JsonDocumentOptions { MaxDepth = 64 });
            return json.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null; // not a JWT, or an exp no date can hold: an opaque token with no known expiry
        }
    }

    private static DateTimeOffset? CertificateNotAfter(string base64Pem)
    {
        try
        {
            var pem = Encoding.UTF8.GetString(Convert.FromBase64String(base64Pem));
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
