using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cocktail.KubeSim.Certificates;

/// <summary>
/// Each simulated cluster's own CA, its serving certificate (SAN 127.0.0.1, ::1, localhost, kubernetes...) and the
/// client certificates it issues. ECDSA P-256 keeps start-up cheap when hundreds of clusters boot at once.
/// </summary>
public sealed class ClusterCertificateAuthority : IDisposable
{
    readonly X509Certificate2 _ca;

    public X509Certificate2 Certificate => _ca;
    public X509Certificate2 ServerCertificate { get; }
    public string CertificatePem { get; }

    ClusterCertificateAuthority(X509Certificate2 ca, X509Certificate2 server)
    {
        _ca = ca;
        ServerCertificate = server;
        CertificatePem = ca.ExportCertificatePem() + "\n";
    }

    public static ClusterCertificateAuthority Create(string clusterName, TimeProvider time)
    {
        var now = time.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=kubesim-ca-{clusterName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        foreach (var dns in new[] { "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" })
            san.AddDnsName(dns);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var serverPublic = serverRequest.Create(ca, now.AddMinutes(-5), now.AddYears(1), SerialNumber());
        var server = serverPublic.CopyWithPrivateKey(serverKey);
        // SslStream on Linux wants a certificate whose key is usable outside this ephemeral instance.
        server = X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null);
        return new ClusterCertificateAuthority(ca, server);
    }

    /// <summary>A client certificate for mTLS: CN is the user name, each O a group, valid until <paramref name="notAfter"/>.</summary>
    public IssuedClientCertificate IssueClientCertificate(string user, IEnumerable<string> groups, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups) subject.AddOrganizationName(group);
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(_ca, notBefore, notAfter, SerialNumber());
        return new IssuedClientCertificate(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", notAfter);
    }

    /// <summary>True when the presented certificate chains to this cluster's CA and is within its validity.</summary>
    public bool Verifies(X509Certificate2 client, DateTimeOffset now)
    {
        if (now < client.NotBefore || now > client.NotAfter) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(client);
    }

    static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive, as RFC 5280 requires
        return serial;
    }

    public void Dispose()
    {
        _ca.Dispose();
        ServerCertificate.Dispose();
    }
}

/// <summary>PEM text of an issued client certificate and its key, and when it expires.</summary>
public sealed record IssuedClientCertificate(string CertificatePem, string PrivateKeyPem, DateTimeOffset NotAfter)
{
    public string CertificateData => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CertificatePem));
    public string KeyData => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(PrivateKeyPem));
}
