using Cocktail.Application.ImageScanning.Reports;

namespace Cocktail.Application.ImageScanning;

/// <summary>How Cocktail scans images (<c>Cocktail:ImageScanning</c>): the scanner Job on the build cluster and the Trivy Operator feed.</summary>
public sealed class ImageScanningOptions
{
    public const string Section = "Cocktail:ImageScanning";

    /// <summary>Scan pushed images and rescan them; off, pushes are recorded but no scanner Job runs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The Trivy image the scanner Job runs (its entrypoint is <c>trivy</c>); a mirror of it works the same.</summary>
    public string ScannerImage { get; set; } = "aquasec/trivy:0.57.1";

    /// <summary>Where Trivy downloads its vulnerability database (an OCI artifact): Trivy's own, or a mirror the admin names.</summary>
    public string DbRepository { get; set; } = "ghcr.io/aquasecurity/trivy-db";

    /// <summary>Where Trivy downloads its Java database (only needed for images with jars); null leaves Trivy's default.</summary>
    public string? JavaDbRepository { get; set; }

    /// <summary>Scanner Jobs running at once on the build cluster, across all workspaces; the others wait in the queue, oldest first.</summary>
    public int MaxConcurrentScans { get; set; } = 4;

    /// <summary>A scanner Job still running after this long is stopped by the cluster (activeDeadlineSeconds) and recorded as failed.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Every image still tagged in a workspace repository is scanned again once its last scan is this old (new CVEs appear daily).</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromDays(1);

    public string CpuLimit { get; set; } = "1";
    public string MemoryLimit { get; set; } = "2Gi";

    /// <summary>The largest report read from a scanner's log or a cluster; a larger one is a failed scan.</summary>
    public long MaxReportBytes { get; set; } = TrivyReportLimits.DefaultMaxBytes;

    /// <summary>How often each watched cluster's Trivy Operator VulnerabilityReports are listed.</summary>
    public TimeSpan OperatorPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A cluster without the VulnerabilityReport CRD (404) is asked again after this long.</summary>
    public TimeSpan OperatorAbsentRetry { get; set; } = TimeSpan.FromHours(1);

    public TrivyReportLimits Limits => new(MaxBytes: MaxReportBytes);
}
