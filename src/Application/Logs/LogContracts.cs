namespace Cocktail.Application.Logs;

/// <summary>
/// One log line as the OTLP receiver hands it to the store: resolved to the cluster, and (when the namespace belongs
/// to a service map) to the service map and workspace. Observations, not domain events: stored in bulk, searched by
/// time, dropped by partition after retention. Severity numbers are OTLP's (1-4 trace, 5-8 debug, 9-12 info,
/// 13-16 warn, 17-20 error, 21-24 fatal; 0 unspecified).
/// </summary>
public sealed record IncomingLogLine(
    DateTimeOffset Time, DateTimeOffset ObservedAt, int SeverityNumber, string? SeverityText, string Body, bool Truncated,
    Guid ClusterId, Guid? WorkspaceId, Guid? ServiceMapId, string? Namespace, string? Pod, string? Container, string? Node,
    string? WorkloadKind, string? WorkloadName);

/// <summary>A stored line. <see cref="Id"/> is an opaque cursor (for context, tail and paging).</summary>
public sealed record LogLine(
    string Id, DateTimeOffset Time, int SeverityNumber, string? SeverityText, string Body, bool Truncated,
    Guid ClusterId, Guid? WorkspaceId, Guid? ServiceMapId, string? Namespace, string? Pod, string? Container, string? Node,
    string? WorkloadKind, string? WorkloadName);

/// <summary>
/// A search. <see cref="Text"/> is the user's query: words (all must occur), "quoted phrases", and -exclusions.
/// The range is bounded by the caller (never more than the retention).
/// </summary>
public sealed record LogSearch(
    DateTimeOffset From, DateTimeOffset To, string? Text = null, IReadOnlyCollection<Guid>? ClusterIds = null, Guid? WorkspaceId = null,
    Guid? ServiceMapId = null, string? WorkloadName = null, string? Pod = null, string? Container = null, int? MinSeverity = null);

/// <summary>
/// What the caller may read: everything (platform admins, auditors), or the lines of these service maps only.
/// Lines that no service map owns are visible only with <see cref="All"/>.
/// </summary>
public sealed record LogVisibility(bool All, IReadOnlyCollection<Guid> ServiceMapIds)
{
    public static readonly LogVisibility Everything = new(true, []);
}

/// <summary>Newest first; <see cref="NextBefore"/> continues with older lines.</summary>
public sealed record LogPage(IReadOnlyList<LogLine> Items, bool More, string? NextBefore);

public sealed record LogHistogramBucket(DateTimeOffset Start, DateTimeOffset End, long Count);

public sealed record LogAppendResult(int Received, int Stored, int Truncated);

/// <summary>The log store (PostgreSQL by default: day partitions, binary COPY, text search).</summary>
public interface ILogStore
{
    Task<LogAppendResult> AppendAsync(IReadOnlyList<IncomingLogLine> lines, CancellationToken ct);

    Task<LogPage> SearchAsync(LogSearch search, LogVisibility visibility, int limit, string? before, CancellationToken ct);

    /// <summary>The lines of the same pod and container around <paramref name="lineId"/>, oldest first, the line itself included.</summary>
    Task<IReadOnlyList<LogLine>> ContextAsync(string lineId, int before, int after, LogVisibility visibility, CancellationToken ct);

    Task<IReadOnlyList<LogHistogramBucket>> HistogramAsync(LogSearch search, LogVisibility visibility, int buckets, CancellationToken ct);

    /// <summary>Lines newer than <paramref name="after"/> (a line id; null: from now), oldest first, for live tail.</summary>
    Task<IReadOnlyList<LogLine>> TailAsync(LogSearch search, LogVisibility visibility, string? after, int limit, CancellationToken ct);

    /// <summary>Every match, newest first, up to <paramref name="max"/> (CSV/JSON export).</summary>
    IAsyncEnumerable<LogLine> ExportAsync(LogSearch search, LogVisibility visibility, int max, CancellationToken ct);
}
