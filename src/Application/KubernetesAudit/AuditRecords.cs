using System.Text.Json;

namespace Cocktail.Application.KubernetesAudit;

/// <summary>One kube-apiserver audit event (one stage of one request) as Cocktail stores and lists it.</summary>
public sealed record AuditRecord(
    Guid ClusterId, Guid AuditId, string Stage, DateTimeOffset Timestamp, DateTimeOffset? StageTimestamp, string Verb,
    string User, IReadOnlyList<string> Groups, string? ImpersonatedUser, IReadOnlyList<string> SourceIps, string? UserAgent,
    string? Resource, string? Subresource, string? Namespace, string? Name, string? ApiGroup, string? ApiVersion, string RequestUri,
    int? Code, string Level, Guid? GrantId, string? CocktailUser);

/// <summary>A record with the whole event as the API server sent it (request and response objects when the policy kept them).</summary>
public sealed record AuditRecordDetail(AuditRecord Record, JsonElement Event);

/// <summary>Records are observations, not domain events: stored in bulk, searched by time, purged after retention.</summary>
public sealed record AuditFilter(
    DateTimeOffset From, DateTimeOffset To, string? User = null, string? Verb = null, string? Resource = null, string? Namespace = null,
    string? Name = null, int? Code = null, string? CocktailUser = null);

/// <summary>Newest first; <see cref="NextBefore"/> continues with older rows ("more").</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, bool More, string? NextBefore);

public sealed record IngestResult(int Received, int Stored);

public interface IKubernetesAuditStore
{
    Task<IngestResult> IngestAsync(Guid clusterId, IReadOnlyList<ParsedAuditEvent> events, CancellationToken ct);

    Task<AuditPage> SearchAsync(IReadOnlyCollection<Guid> clusterIds, AuditFilter filter, int limit, string? before, CancellationToken ct);

    Task<IReadOnlyList<AuditRecordDetail>> GetAsync(Guid clusterId, Guid auditId, CancellationToken ct);

    /// <summary>Streams every match (for export), newest first, up to <paramref name="max"/>.</summary>
    IAsyncEnumerable<AuditRecord> ExportAsync(Guid clusterId, AuditFilter filter, int max, CancellationToken ct);

    Task PurgeOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>An audit event read from an EventList, with its raw JSON kept whole: the UTF-8 bytes as they came.</summary>
public sealed record ParsedAuditEvent(AuditRecord Record, ReadOnlyMemory<byte> RawJson);
