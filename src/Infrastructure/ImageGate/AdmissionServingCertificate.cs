using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ImageScanning.Reconciling;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.ImageGate;

/// <summary>The self-signed serving certificate, made once for every replica: its key protected with Data Protection.</summary>
public sealed class AdmissionCertificateDocument
{
    public const string CurrentId = "current";

    public string Id { get; set; } = CurrentId;
    public string ProtectedPrivateKey { get; set; } = "";
    public string CertificatePem { get; set; } = "";
    public List<string> Names { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NotAfter { get; set; }
}

/// <summary>
/// The admission listener's certificate: the configured PEM files, or a self-signed one Cocktail makes and keeps in
/// PostgreSQL (made again when the configured names change or it nears its end). The API server checks the host of
/// the webhook URL against its names, so they must include the host clusters use.
/// </summary>
public sealed class AdmissionServingCertificate(IDocumentStore store, IDataProtectionProvider protection, IOptions<ImageGateOptions> options,
    TimeProvider clock) : IAdmissionCertificate, IDisposable
{
    const string Purpose = "Cocktail.AdmissionCertificate.v1";
    static readonly TimeSpan Validity = TimeSpan.FromDays(825);
    static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    readonly SemaphoreSlim _loading = new(1, 1);
    volatile Loaded? _current;

    sealed record Loaded(X509Certificate2 Certificate, string CaBundlePem);

    /// <summary>Loaded at start by the listener; a handshake never waits for the database.</summary>
    public X509Certificate2? Current => _current?.Certificate;

    public async Task<string> CaBundlePemAsync(CancellationToken ct) => (await LoadAsync(ct)).CaBundlePem;

    public async Task<X509Certificate2> CertificateAsync(CancellationToken ct) => (await LoadAsync(ct)).Certificate;

    async Task<Loaded> LoadAsync(CancellationToken ct)
    {
        if (_current is { } loaded && loaded.Certificate.NotAfter > clock.GetUtcNow().UtcDateTime + RenewBefore) return loaded;
        await _loading.WaitAsync(ct);
        try
        {
            if (_current is { } again && again.Certificate.NotAfter > clock.GetUtcNow().UtcDateTime + RenewBefore) return again;
            var fresh = options.Value is { CertificateFile.Length: > 0, KeyFile.Length: > 0 } files ? FromFiles(files) : await SelfSignedAsync(ct);
            _current = fresh;
            return fresh;
        }
        finally { _loading.Release(); }
    }

    static Loaded FromFiles(ImageGateOptions files)
    {
        var certificate = X509Certificate2.CreateFromPemFile(files.CertificateFile!, files.KeyFile);
        var ca = files.CaFile is { Length: > 0 } caFile ? File.ReadAllText(caFile) : certificate.ExportCertificatePem() + "\n";
        return new Loaded(certificate, ca);
    }

    /// <summary>The names the self-signed certificate carries: localhost, 127.0.0.1, the machine's name and the configured ones.</summary>
    public IReadOnlyList<string> Names() =>
        new[] { "localhost", "127.0.0.1", Dns.GetHostName() }.Concat(options.Value.SubjectAlternativeNames.Select(n => n.Trim()))
            .Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();

    async Task<Loaded> SelfSignedAsync(CancellationToken ct)
    {
        var protector = protection.CreateProtector(Purpose);
        var names = Names();
        var now = clock.GetUtcNow();
        AdmissionCertificateDocument? stored;
        await using (var query = store.QuerySession())
        {
            stored = await query.LoadAsync<AdmissionCertificateDocument>(AdmissionCertificateDocument.CurrentId, ct);
            if (stored is not null && stored.Names.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(names, StringComparer.OrdinalIgnoreCase) &&
                stored.NotAfter > now + RenewBefore)
                return Open(stored, protector);
        }
        var (certificatePem, keyPem) = Create(names, now);
        var document = new AdmissionCertificateDocument
        {
            ProtectedPrivateKey = protector.Protect(keyPem), CertificatePem = certificatePem, Names = names.ToList(), CreatedAt = now, NotAfter = now + Validity,
        };
        await using var session = store.LightweightSession();
        // The first one is inserted: replicas starting together keep the one that won. A changed list of names or an
        // ageing certificate is replaced (clusters get the new CA on the next reconcile pass).
        if (stored is null) session.Insert(document);
        else session.Store(document);
        try
        {
            await session.SaveChangesAsync(ct);
            return Open(document, protector);
        }
        catch (DocumentAlreadyExistsException)
        {
            await using var query = store.QuerySession();
            return Open((await query.LoadAsync<AdmissionCertificateDocument>(AdmissionCertificateDocument.CurrentId, ct))!, protector);
        }
    }

    static Loaded Open(AdmissionCertificateDocument stored, IDataProtector protector)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(protector.Unprotect(stored.ProtectedPrivateKey));
        using var publicOnly = X509Certificate2.CreateFromPem(stored.CertificatePem);
        var certificate = publicOnly.CopyWithPrivateKey(key);
        return new Loaded(certificate, stored.CertificatePem);
    }

    static (string CertificatePem, string KeyPem) Create(IReadOnlyList<string> names, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Cocktail image gate", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        // Its own CA (the caBundle is this certificate): Go's verifier accepts a root that is also the leaf.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Validity);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => _current?.Certificate.Dispose();
}
