using System.Globalization;
using System.Text.Json;
using Cocktail.Application.Common;
using Cocktail.Application.Logs.Searching;
using Cocktail.Domain.Logs;
using CsvHelper;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Exporting;

/// <summary>
/// The same filters as the search, every match the caller may read (up to <see cref="LogsOptions.MaxExportRows"/>), newest
/// first, as CSV or JSON. Each export is recorded (<see cref="LogsExported"/>: who, the query, the rows taken), once the
/// file is written, with the rows actually sent.
/// </summary>
public sealed record ExportLogs(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Window = null, string? Q = null, Guid? ClusterId = null, Guid? WorkspaceId = null,
    Guid? ServiceMapId = null, string? Workload = null, string? Pod = null, string? Container = null, string? MinSeverity = null,
    LogExportFormat Format = LogExportFormat.Csv) : IRequest<LogExport>, ILogFilterQuery;

public enum LogExportFormat { Csv, Json }

/// <summary>A file to stream: the rows are read from the store while they are written, not held in memory.</summary>
public sealed record LogExport(Guid ExportId, string FileName, string ContentType, Func<Stream, CancellationToken, Task<long>> WriteAsync);

public sealed class ExportLogsValidator(TimeProvider clock) : LogFilterValidator<ExportLogs>(clock);

public static class ExportLogsHandler
{
    private static readonly string[] Header =
        ["time", "severity", "severityNumber", "cluster", "workspace", "serviceMap", "namespace", "workload", "pod", "container", "node", "truncated", "body", "id"];

    public static async Task<Result<LogExport>> Handle(ExportLogs query, Actor actor, IQuerySession session, ILogStore store, IDocumentStore documents,
        TimeProvider clock, IOptions<LogsOptions> options, CancellationToken ct)
    {
        var visibility = await LogAccess.VisibilityAsync(actor, session, ct);
        var search = LogAccess.ToSearch(query, clock.GetUtcNow());
        var exportId = Guid.CreateVersion7();
        var max = options.Value.MaxExportRows;
        var json = query.Format == LogExportFormat.Json;
        return new LogExport(exportId, $"logs-{clock.GetUtcNow():yyyyMMdd-HHmmss}.{(json ? "json" : "csv")}", json ? "application/json" : "text/csv",
            async (stream, token) =>
            {
                var counter = new RowCounter();
                try
                {
                    var rows = counter.Count(store.ExportAsync(search, visibility, max, token), token);
                    if (json) await WriteJsonAsync(stream, rows, token);
                    else await WriteCsvAsync(stream, rows, token);
                }
                finally
                {
                    // Also when the download was cut short: what left is what was sent.
                    await RecordAsync(documents, new LogsExported(exportId, json ? "json" : "csv", Describe(query, search), search.WorkspaceId,
                        search.ServiceMapId, search.From, search.To, counter.Rows, actor.Ref, clock.GetUtcNow()));
                }
                return counter.Rows;
            });
    }

    private static async Task RecordAsync(IDocumentStore documents, LogsExported exported)
    {
        await using var session = documents.LightweightSession();
        session.Events.StartStream(exported.ExportId, exported);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The query as a person reads it in the audit trail.</summary>
    public static string Describe(ILogFilterQuery q, LogSearch s)
    {
        var parts = new List<string>();
        if (s.Text is { } text) parts.Add($"q={text}");
        if (q.ClusterId is { } c) parts.Add($"cluster={c}");
        if (q.WorkspaceId is { } w) parts.Add($"workspace={w}");
        if (q.ServiceMapId is { } m) parts.Add($"serviceMap={m}");
        if (s.WorkloadName is { } workload) parts.Add($"workload={workload}");
        if (s.Pod is { } pod) parts.Add($"pod={pod}");
        if (s.Container is { } container) parts.Add($"container={container}");
        if (s.MinSeverity is { } severity) parts.Add($"minSeverity={severity}");
        parts.Add($"from={s.From:O}");
        parts.Add($"to={s.To:O}");
        return string.Join(' ', parts);
    }

    private sealed class RowCounter
    {
        public long Rows;

        public async IAsyncEnumerable<LogLine> Count(IAsyncEnumerable<LogLine> rows,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var row in rows.WithCancellation(ct))
            {
                yield return row;
                Rows++;
            }
        }
    }

    /// <summary>RFC 4180 through CsvHelper; a line that starts like a spreadsheet formula is escaped (log bodies are anyone's text).</summary>
    private static async Task WriteCsvAsync(Stream stream, IAsyncEnumerable<LogLine> rows, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Header);
        await foreach (var r in rows.WithCancellation(ct))
            await csv.WriteRecordAsync([
                r.Time.ToString("O", CultureInfo.InvariantCulture), r.SeverityText, r.SeverityNumber.ToString(CultureInfo.InvariantCulture), r.ClusterId.ToString(),
                r.WorkspaceId?.ToString(), r.ServiceMapId?.ToString(), r.Namespace, r.WorkloadName, r.Pod, r.Container, r.Node, r.Truncated ? "true" : "false",
                r.Body, r.Id,
            ], ct);
        await csv.FlushAsync(ct);
    }

    /// <summary>
    /// Into a buffer that is copied to the response asynchronously: JsonSerializer flushes its writer synchronously, which
    /// the server refuses on a response stream.
    /// </summary>
    private static async Task WriteJsonAsync(Stream stream, IAsyncEnumerable<LogLine> rows, CancellationToken ct)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128 * 1024);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        await using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartArray();
        await foreach (var r in rows.WithCancellation(ct))
        {
            JsonSerializer.Serialize(writer, r, options);
            if (buffer.WrittenCount > 64 * 1024) await DrainAsync();
        }
        writer.WriteEndArray();
        await DrainAsync();

        async Task DrainAsync()
        {
            writer.Flush();
            await stream.WriteAsync(buffer.WrittenMemory, ct);
            buffer.Clear();
        }
    }
}
