namespace Cocktail.Application.Logs.Receiving;

/// <summary>The OTLP/HTTP logs receiver's bounds. Every one of them keeps one sender from taking the receiver down.</summary>
public sealed class OtlpOptions
{
    public const string Section = "Cocktail:Logs:Otlp";

    /// <summary>Largest request body as sent (compressed or not); 413 beyond. The OTLP specification recommends 20 MiB.</summary>
    public int MaxRequestBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest body once gunzipped (a gzip bomb stops here, with 413).</summary>
    public int MaxDecompressedBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>A line's body beyond this many UTF-8 bytes is cut and marked <c>Truncated</c>.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>A record (or resource) with more attributes than this is rejected (counted in partial_success).</summary>
    public int MaxAttributes { get; set; } = 256;

    /// <summary>Attribute values and bodies nested deeper than this (kvlist in array in kvlist...) are rejected or cut.</summary>
    public int MaxDepth { get; set; } = 16;

    /// <summary>Lines waiting for the store, across all senders; past it senders are told 429 with Retry-After.</summary>
    public int QueueCapacityLines { get; set; } = 200_000;

    /// <summary>Most lines handed to the store in one append (several requests' lines are stored together).</summary>
    public int MaxAppendLines { get; set; } = 20_000;

    /// <summary>What Retry-After says on 429 and 503.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a request waits for its lines to be stored. A request whose lines the store has not started on by then
    /// takes them back and answers 503 (nothing stored, so the sender's retry duplicates nothing).
    /// </summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a cluster's namespace → service map table is reused before it is read again.</summary>
    public TimeSpan OwnersCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cocktail's address as collectors reach it, for the collector set-up (default: the address the page was opened at).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The collector image the set-up's DaemonSet runs (a contrib build: filelog and k8sattributes).</summary>
    public string CollectorImage { get; set; } = SettingUpCollection.CollectorManifests.DefaultImage;
}
