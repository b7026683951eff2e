using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning;

/// <summary>Who produced a scan: a scanner Job Cocktail ran on the build cluster, or a cluster's Trivy Operator.</summary>
public enum ScanSource { Job, TrivyOperator }

/// <summary>How the last attempt to scan an image ended.</summary>
public enum ScanAttemptStatus { Succeeded, Failed }

/// <summary>The last attempt to scan an image: a failure keeps its reason and never replaces an earlier good scan.</summary>
public sealed record ScanAttempt(ScanAttemptStatus Status, string? FailureReason, ScanSource Source, DateTimeOffset At);

/// <summary>
/// Where an image was scanned from and which workspace's registry holds it. Images of other registries (seen by a
/// cluster's Trivy Operator) have no workspace; they are shown where a workload of the workspace runs them.
/// </summary>
public sealed record ScannedImageRef(string Registry, string Repository, string? Tag, Guid? WorkspaceId);

/// <summary>
/// A workload a cluster's Trivy Operator found running the image: the cluster, namespace and owner as the report's
/// <c>trivy-operator.resource.*</c> labels name them, and the workspace whose service map owns the namespace (if any).
/// </summary>
public sealed record RunningWorkload(Guid ClusterId, string Namespace, string OwnerKind, string OwnerName, Guid? WorkspaceId);

/// <summary>
/// What Cocktail knows about one image, by digest (the document id): its latest good scan (the one verdicts read),
/// the last attempt (which may have failed), and the references it was seen under. Observed data, not events: a
/// scan is what a scanner said at a time, kept as a document with its history beside it.
/// </summary>
public sealed class ImageScanRecord
{
    /// <summary>The image's digest, <c>sha256:&lt;64 hex&gt;</c>.</summary>
    public string Id { get; set; } = "";
    public List<ScannedImageRef> References { get; set; } = [];
    /// <summary>The workspaces whose registry holds this digest (for filtering reads).</summary>
    public List<Guid> WorkspaceIds { get; set; } = [];
    public ImageScan? Scan { get; set; }
    public ScanSource? ScanSource { get; set; }
    public ScanAttempt? LastAttempt { get; set; }
    public Severity? WorstSeverity { get; set; }
    public int Critical { get; set; }
    public int High { get; set; }
    public int Medium { get; set; }
    public int Low { get; set; }
    public int Unknown { get; set; }
    public DateTimeOffset? ScannedAt { get; set; }
    /// <summary>Where clusters' Trivy Operators last saw the image running (one entry per workload); kept in step with their reports.</summary>
    public List<RunningWorkload> RunningIn { get; set; } = [];

    /// <summary>True when the caller's workspace may read this record: its registry holds the image, or one of its service maps runs it.</summary>
    public bool VisibleTo(Guid workspaceId) => WorkspaceIds.Contains(workspaceId) || RunningIn.Any(r => r.WorkspaceId == workspaceId);

    /// <summary>Keeps a good scan and its counts; the attempt is recorded as succeeded.</summary>
    public void Record(ImageScan scan, ScanSource source, DateTimeOffset at)
    {
        Scan = scan;
        ScanSource = source;
        ScannedAt = scan.ScannedAt;
        WorstSeverity = scan.WorstSeverity;
        Critical = scan.Count(Severity.Critical);
        High = scan.Count(Severity.High);
        Medium = scan.Count(Severity.Medium);
        Low = scan.Count(Severity.Low);
        Unknown = scan.Count(Severity.Unknown);
        LastAttempt = new ScanAttempt(ScanAttemptStatus.Succeeded, null, source, at);
    }

    /// <summary>A failed attempt: the reason is kept, the earlier good scan (if any) still decides verdicts.</summary>
    public void RecordFailure(string reason, ScanSource source, DateTimeOffset at) =>
        LastAttempt = new ScanAttempt(ScanAttemptStatus.Failed, reason, source, at);

    public void Saw(ScannedImageRef reference)
    {
        if (!References.Contains(reference)) References.Add(reference);
        if (reference.WorkspaceId is { } workspace && !WorkspaceIds.Contains(workspace)) WorkspaceIds.Add(workspace);
    }
}

/// <summary>One scan (good or failed) of one image as the trend chart counts it: one row per attempt, never updated.</summary>
public sealed class ImageScanHistoryEntry
{
    public Guid Id { get; set; }
    public string Digest { get; set; } = "";
    public List<Guid> WorkspaceIds { get; set; } = [];
    public string Repository { get; set; } = "";
    public ScanSource Source { get; set; }
    public ScanAttemptStatus Status { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset At { get; set; }
    public int Critical { get; set; }
    public int High { get; set; }
    public int Medium { get; set; }
    public int Low { get; set; }
    public int Unknown { get; set; }
}
