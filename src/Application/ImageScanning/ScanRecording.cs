using Cocktail.Application.ImageScanning.Reports;
using Marten;

namespace Cocktail.Application.ImageScanning;

/// <summary>
/// The one way a scan's outcome is stored, whoever produced it: the record by digest keeps a good scan (a failure
/// keeps its reason beside the earlier good scan), and every attempt adds one history row.
/// </summary>
public static class ScanRecording
{
    /// <summary>Loads (or starts) the image's record, applies the reading and stages both documents; the caller saves.</summary>
    public static async Task<ImageScanRecord> RecordAsync(IDocumentSession session, string digest, string repository, ScannedImageRef? seenAs,
        ScanReportReading reading, ScanSource source, DateTimeOffset at, CancellationToken ct)
    {
        var record = await session.LoadAsync<ImageScanRecord>(digest, ct) ?? new ImageScanRecord { Id = digest };
        Apply(session, record, repository, seenAs, reading, source, at);
        return record;
    }

    /// <summary>Applies a reading to a loaded record and stages it with a new history row.</summary>
    public static void Apply(IDocumentSession session, ImageScanRecord record, string repository, ScannedImageRef? seenAs, ScanReportReading reading,
        ScanSource source, DateTimeOffset at)
    {
        if (seenAs is not null) record.Saw(seenAs);
        if (reading.Succeeded) record.Record(reading.Scan, source, at);
        else record.RecordFailure(reading.Failure.Reason, source, at);
        session.Store(record);
        session.Store(History(record, repository, source, at));
    }

    /// <summary>A failure that happened before any report (no build cluster, the Job failed, the log could not be read).</summary>
    public static async Task RecordFailureAsync(IDocumentSession session, string digest, string repository, ScannedImageRef? seenAs, string reason,
        ScanSource source, DateTimeOffset at, CancellationToken ct)
    {
        var record = await session.LoadAsync<ImageScanRecord>(digest, ct) ?? new ImageScanRecord { Id = digest };
        if (seenAs is not null) record.Saw(seenAs);
        record.RecordFailure(reason, source, at);
        session.Store(record);
        session.Store(History(record, repository, source, at));
    }

    /// <summary>
    /// The attempt as the trend chart counts it. A failed attempt carries no counts: it found nothing, and zeros
    /// would read as a clean image.
    /// </summary>
    public static ImageScanHistoryEntry History(ImageScanRecord record, string repository, ScanSource source, DateTimeOffset at)
    {
        var attempt = record.LastAttempt!;
        var succeeded = attempt.Status == ScanAttemptStatus.Succeeded;
        return new ImageScanHistoryEntry
        {
            Id = Guid.CreateVersion7(), Digest = record.Id, WorkspaceIds = [.. record.WorkspaceIds], Repository = repository, Source = source,
            Status = attempt.Status, FailureReason = attempt.FailureReason, At = at,
            Critical = succeeded ? record.Critical : 0, High = succeeded ? record.High : 0, Medium = succeeded ? record.Medium : 0,
            Low = succeeded ? record.Low : 0, Unknown = succeeded ? record.Unknown : 0,
        };
    }
}
