using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Domain.Common;

namespace Cocktail.Application.ImageScanning.Scanning;

/// <summary>Everything the build cluster needs to run one scan as a Job.</summary>
public sealed record ScanJobSpec(
    Guid ScanId, Guid WorkspaceId, string Namespace, string JobName, string ImageReference, string ScannerImage, string DbRepository,
    string? JavaDbRepository, bool InsecureRegistry, [property: Secret] string DockerConfigJson, string CpuLimit, string MemoryLimit, TimeSpan Timeout)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public enum ScanJobPhase { Running, Succeeded, Failed, Missing }

/// <summary>How a scanner Job stands; a failed one says why (the termination message: the log's tail).</summary>
public sealed record ScanJobObservation(ScanJobPhase Phase, string? FailureReason);

/// <summary>The build cluster as the scanner uses it: the Job with its pull Secret, its log (the report), and cleaning up.</summary>
public interface IImageScanCluster
{
    /// <summary>Creates (or finds, when retried) the namespace, the pull Secret and the Job.</summary>
    Task<ClusterOutcome> StartAsync(ClusterConnection cluster, ScanJobSpec job, CancellationToken ct);

    /// <summary>Null when the cluster did not answer.</summary>
    Task<ScanJobObservation?> ObserveAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct);

    /// <summary>
    /// The report the scanner printed to its log, read whole within <paramref name="limits"/> (never a partial scan);
    /// null when the cluster did not answer (try again later).
    /// </summary>
    Task<ScanReportReading?> ReadReportAsync(ClusterConnection cluster, string ns, string jobName, string repository, string digest, DateTimeOffset scannedAt,
        TrivyReportLimits limits, CancellationToken ct);

    /// <summary>Removes the pull Secret and the Job (the report is stored; the log need not stay).</summary>
    Task<ClusterOutcome> CleanUpAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct);
}

public enum ScanJobStatus { Queued, Running }

/// <summary>
/// A scan waiting for or holding one of the build cluster's scanner slots. One per digest at a time (the id is the
/// digest): a second push of the same image while it is queued or running adds nothing. Removed when the scan ends;
/// the outcome lives on in <see cref="ImageScanRecord"/> and <see cref="ImageScanHistoryEntry"/>.
/// </summary>
public sealed class ImageScanJob
{
    public string Id { get; set; } = "";
    public Guid ScanId { get; set; }
    public Guid WorkspaceId { get; set; }
    public string Repository { get; set; } = "";
    public string? Tag { get; set; }
    public string Reason { get; set; } = "";
    public ScanJobStatus Status { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public Guid? ClusterId { get; set; }
    public string? Namespace { get; set; }
    public string? JobName { get; set; }
    public Guid? RobotId { get; set; }
}

/// <summary>Names and labels of scanner Jobs.</summary>
public static class ScanNames
{
    public const string ScanLabel = "cocktail.io/image-scan";
    public const string Container = "trivy";

    /// <summary>A DNS label: the digest's first 12 hex characters and the scan's last 6.</summary>
    public static string Job(string digest, Guid scanId) => $"scan-{digest.Split(':').Last()[..12]}-{scanId.ToString("N")[^6..]}";

    public static string Secret(string jobName) => jobName + "-pull";

    /// <summary>The exclusive turn that serialises the scan queue across replicas.</summary>
    public static readonly Guid QueueTurn = new("0193a000-0000-7000-8000-000000005ca0");
}
