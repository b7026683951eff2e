using System.Globalization;
using System.Text.Json;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.Searching;
using Cocktail.Domain.Users;
using CsvHelper;
using Marten;

namespace Cocktail.Application.KubernetesAudit.Exporting;

/// <summary>The same filters as the search, every match (up to <see cref="ExportKubernetesAuditHandler.MaxRows"/>), newest first, as CSV or JSON.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record ExportKubernetesAudit(
    Guid ClusterId, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Window = null, string? User = null, string? Verb = null,
    string? Resource = null, string? Namespace = null, string? Name = null, int? Code = null, string? CocktailUser = null,
    AuditExportFormat Format = AuditExportFormat.Csv) : IRequest<AuditExport>, IAuditFilterQuery;

public enum AuditExportFormat { Csv, Json }

/// <summary>A file to stream: the rows are read from the store while they are written, not held in memory.</summary>
public sealed record AuditExport(string FileName, string ContentType, Func<Stream, CancellationToken, Task> WriteAsync);

public sealed class ExportKubernetesAuditValidator : AuditFilterValidator<ExportKubernetesAudit>;

public static class ExportKubernetesAuditHandler
{
    public const int MaxRows = 100_000;

    private static readonly string[] Header =
        ["timestamp", "auditId", "stage", "verb", "user", "cocktailUser", "grantId", "sourceIps", "userAgent", "resource", "subresource", "namespace", "name",
            "code", "requestUri"];

    public static async Task<Result<AuditExport>> Handle(ExportKubernetesAudit query, IQuerySession session, IKubernetesAuditStore store,
        TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(query.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        var filter = SearchKubernetesAuditHandler.ToFilter(query, clock.GetUtcNow());
        return query.Format == AuditExportFormat.Json
            ? new AuditExport($"audit-{query.ClusterId:N}.json", "application/json",
                (stream, token) => WriteJsonAsync(stream, store.ExportAsync(query.ClusterId, filter, MaxRows, token), token))
            : new AuditExport($"audit-{query.ClusterId:N}.csv", "text/csv",
                (stream, token) => WriteCsvAsync(stream, store.ExportAsync(query.ClusterId, filter, MaxRows, token), token));
    }

    /// <summary>
    /// RFC 4180 through CsvHelper. A field that starts like a spreadsheet formula (a user agent or a name is whatever the
    /// caller of the API server sent) is escaped, since audit exports are opened in spreadsheets.
    /// </summary>
    private static async Task WriteCsvAsync(Stream stream, IAsyncEnumerable<AuditRecord> rows, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Header);
        await foreach (var r in rows.WithCancellation(ct))
            await csv.WriteRecordAsync([
                r.Timestamp.ToString("O", CultureInfo.InvariantCulture), r.AuditId.ToString(), r.Stage, r.Verb, r.User, r.CocktailUser, r.GrantId?.ToString(),
                string.Join(' ', r.SourceIps), r.UserAgent, r.Resource, r.Subresource, r.Namespace, r.Name, r.Code?.ToString(CultureInfo.InvariantCulture),
                r.RequestUri,
            ], ct);
        await csv.FlushAsync(ct);
    }

    private static async Task WriteJsonAsync(Stream stream, IAsyncEnumerable<AuditRecord> rows, CancellationToken ct)
    {
        await using var writer = new Utf8JsonWriter(stream);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        writer.WriteStartArray();
        await foreach (var r in rows.WithCancellation(ct))
        {
            JsonSerializer.Serialize(writer, r, options);
            if (writer.BytesPending > 64 * 1024) await writer.FlushAsync(ct);
        }
        writer.WriteEndArray();
    }
}
