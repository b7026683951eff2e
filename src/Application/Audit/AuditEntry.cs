using System.Text.Json;

namespace Cocktail.Application.Audit;

/// <summary>
/// One stored event as the audit trail shows it: what happened, to which stream, by whom, from where; the summary and
/// the object's kind and name are filled in by the audit queries (null where an event is read without them).
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Timestamp,
    string Type,
    Guid StreamId,
    long Version,
    string? Actor,
    Guid? ActorId,
    string? SourceIp,
    string? UserAgent,
    string? CorrelationId,
    string? CausationId,
    JsonElement Data,
    string? Summary = null,
    string? ObjectKind = null,
    string? ObjectName = null);

public sealed record AuditSearch(
    DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Type, Guid? StreamId, int Page, int PageSize);

public sealed record StreamInfo(Guid Id, string? AggregateType, long Version, DateTimeOffset Created);

/// <summary>Reads the raw event log (Marten's mt_events) for audit search; implemented over SQL in Infrastructure.</summary>
public interface IEventLog
{
    Task<Common.Page<AuditEntry>> SearchAsync(AuditSearch search, CancellationToken ct);

    Task<IReadOnlyList<AuditEntry>> StreamAsync(Guid streamId, DateTimeOffset? upTo, CancellationToken ct);

    Task<StreamInfo?> FindStreamAsync(Guid streamId, CancellationToken ct);

    Task<long> CountSinceAsync(DateTimeOffset since, CancellationToken ct);
}
