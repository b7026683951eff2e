namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>The admission endpoint the clusters call (section <c>Cocktail:ImageGate</c>).</summary>
public sealed class ImageGateOptions
{
    public const string Section = "Cocktail:ImageGate";

    /// <summary>
    /// Where the dedicated HTTPS listener of the admission endpoint listens (<c>https://host:port</c>; port 0 picks a
    /// free one). Empty: no listener, and clusters cannot ask Cocktail.
    /// </summary>
    public string? Listen { get; set; } = "https://0.0.0.0:9443";

    /// <summary>PEM files of the serving certificate and its key. Without them Cocktail makes a self-signed one once and keeps it.</summary>
    public string? CertificateFile { get; set; }
    public string? KeyFile { get; set; }

    /// <summary>The CA to put in the webhook's caBundle when the certificate is not self-signed (PEM); the certificate itself otherwise.</summary>
    public string? CaFile { get; set; }

    /// <summary>Host names and IP addresses the self-signed certificate names, besides localhost, 127.0.0.1 and the machine's name.</summary>
    public List<string> SubjectAlternativeNames { get; set; } = [];

    /// <summary>
    /// How long a review may take before Cocktail answers a denial instead: shorter than the webhook's
    /// timeoutSeconds (<see cref="WebhookTimeoutSeconds"/>), so the API server hears Cocktail's reason rather than a timeout.
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(2);

    public int WebhookTimeoutSeconds { get; set; } = 5;

    /// <summary>How long a namespace's rules and exceptions are reused between reviews.</summary>
    public TimeSpan InputsCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Identical verdicts within this window are recorded once, with a count.</summary>
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest AdmissionReview read (the apiserver's own request limit is 3 MiB).</summary>
    public int MaxBodyBytes { get; set; } = 3 * 1024 * 1024;
}
