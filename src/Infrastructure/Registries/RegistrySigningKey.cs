using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Cocktail.Infrastructure.Registries;

/// <summary>
/// The key registry tokens are signed with, stored once for every replica: the private key protected with Data
/// Protection (keys in PostgreSQL, as cluster credentials are), the self-signed certificate in the clear because the
/// registry's <c>auth.token.rootcertbundle</c> needs it.
/// </summary>
public sealed class RegistrySigningKeyDocument
{
    public const string CurrentId = "current";

    public string Id { get; set; } = CurrentId;
    public string ProtectedPrivateKey { get; set; } = "";
    public string CertificatePem { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An ECDSA P-256 key (ES256) with its certificate and the key id the registry expects in the JWT header.</summary>
public sealed class RegistrySigningKey : IDisposable
{
    RegistrySigningKey(ECDsa key, string certificatePem)
    {
        Key = key;
        CertificatePem = certificatePem;
        KeyId = LibtrustKeyId(key);
    }

    public ECDsa Key { get; }
    public string CertificatePem { get; }

    /// <summary>
    /// Distribution 2.x finds the verifying key by the JWT's <c>kid</c>: libtrust's key id of each certificate's public
    /// key in the root bundle, which is the SHA-256 of the DER SubjectPublicKeyInfo, cut to 240 bits, base32 without
    /// padding, in groups of four joined by ':' (docker/libtrust util.go keyIDFromCryptoKey).
    /// </summary>
    public string KeyId { get; }

    public static RegistrySigningKey Create(DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Cocktail registry token signer", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        return new RegistrySigningKey(key, certificate.ExportCertificatePem() + "\n");
    }

    public static RegistrySigningKey FromPem(string privateKeyPem, string certificatePem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(privateKeyPem);
        return new RegistrySigningKey(key, certificatePem);
    }

    public string PrivateKeyPem() => Key.ExportPkcs8PrivateKeyPem();

    public static string LibtrustKeyId(AsymmetricAlgorithm key)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        var hash = SHA256.HashData(spki)[..30];
        var encoded = Base32(hash);
        var groups = new StringBuilder();
        for (var i = 0; i < encoded.Length; i += 4)
        {
            if (i > 0) groups.Append(':');
            groups.Append(encoded, i, Math.Min(4, encoded.Length - i));
        }
        return groups.ToString();
    }

    static string Base32(ReadOnlySpan<byte> data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return output.ToString();
    }

    public void Dispose() => Key.Dispose();
}
