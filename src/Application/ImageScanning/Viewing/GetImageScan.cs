using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.ImageScanning;
using Marten;

namespace Cocktail.Application.ImageScanning.Viewing;

/// <summary>One image's scan as a workspace sees it: the latest good scan's findings, the last attempt, and where it was seen.</summary>
public sealed record GetImageScan(Guid WorkspaceId, string Digest) : IRequest<ImageScanDetails>;

/// <summary>
/// <c>Status</c>: <c>NotScanned</c> (no attempt yet), <c>Queued</c>/<c>Scanning</c> (a scan waits or runs), <c>Scanned</c>, or
/// <c>Failed</c> (the last attempt failed; an earlier good scan, if any, is still shown and still decides verdicts).
/// References and workloads are those of the caller's workspace only.
/// </summary>
public sealed record ImageScanDetails(
    string Digest, string Status, ScanSource? Source, DateTimeOffset? ScannedAt, Severity? WorstSeverity, int Critical, int High, int Medium, int Low,
    int Unknown, ScanAttempt? LastAttempt, IReadOnlyList<ScannedImageRef> References, IReadOnlyList<RunningWorkload> RunningIn,
    IReadOnlyList<Vulnerability> Vulnerabilities);

/// <summary>Where an image stands with the scanner, in the words the API and the console use.</summary>
public static class ImageScanStatus
{
    public const string NotScanned = "NotScanned";
    public const string Queued = "Queued";
    public const string Scanning = "Scanning";
    public const string Scanned = "Scanned";
    public const string Failed = "Failed";

    /// <summary>A queued or running scan first (it is what happens next), then how the last attempt ended.</summary>
    public static string Of(ImageScanRecord? record, ImageScanJob? job) =>
        job is not null ? job.Status == ScanJobStatus.Running ? Scanning : Queued
        : record?.LastAttempt is null ? NotScanned
        : record.LastAttempt.Status == ScanAttemptStatus.Failed ? Failed : Scanned;
}

public static class GetImageScanHandler
{
    public const string NoSuchImage = "No such image in this workspace.";

    public static async Task<Result<ImageScanDetails>> Handle(GetImageScan query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        if (!Digests.IsValid(query.Digest)) return Failure.NotFound(NoSuchImage);
        var record = await session.LoadAsync<ImageScanRecord>(query.Digest, ct);
        var job = await session.LoadAsync<ImageScanJob>(query.Digest, ct);
        var tagged = record is null || !record.VisibleTo(query.WorkspaceId)
            ? await session.Query<ImageRepositoryView>().AnyAsync(r => r.WorkspaceId == query.WorkspaceId && r.Tags.Any(t => t.Digest == query.Digest), ct)
            : true;
        if (!tagged) return Failure.NotFound(NoSuchImage);
        record ??= new ImageScanRecord { Id = query.Digest };
        var status = ImageScanStatus.Of(record, job);
        var vulnerabilities = record.Scan?.Vulnerabilities.OrderByDescending(v => v.Severity).ThenBy(v => v.VulnerabilityId, StringComparer.Ordinal)
            .ThenBy(v => v.PkgName, StringComparer.Ordinal).ToList() ?? [];
        return new ImageScanDetails(record.Id, status, record.ScanSource, record.ScannedAt, record.WorstSeverity, record.Critical, record.High, record.Medium,
            record.Low, record.Unknown, record.LastAttempt, record.References.Where(r => r.WorkspaceId == query.WorkspaceId).ToList(),
            record.RunningIn.Where(r => r.WorkspaceId == query.WorkspaceId).ToList(), vulnerabilities);
    }
}
