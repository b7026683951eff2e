using System.Text.Json;
using Cocktail.Application.Audit;
using Cocktail.Application.Common;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Infrastructure.EventStore;

/// <summary>Audit reads over Marten's event table, in SQL so that filters use the indexes made for them.</summary>
public sealed class EventLog(NpgsqlDataSource dataSource, IDocumentStore store) : IEventLog
{
    private string Schema => store.Options.Events.DatabaseSchemaName;

    private const string Columns =
        "e.seq_id, e.timestamp, e.type, e.mt_dotnet_type, e.stream_id, e.version, e.user_name, e.headers, " +
        "e.correlation_id, e.causation_id, e.data";

    public async Task<Page<AuditEntry>> SearchAsync(AuditSearch search, CancellationToken ct)
    {
        var (page, size) = Paging.Clamp(search.Page, search.PageSize);
        var (where, parameters) = Filter(search);
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        await using var count = new NpgsqlCommand($"select count(*) from {Schema}.mt_events e {where}", connection);
        count.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
        var total = (long)(await count.ExecuteScalarAsync(ct))!;

        await using var select = new NpgsqlCommand(
            $"select {Columns} from {Schema}.mt_events e {where} order by e.seq_id desc limit @limit offset @offset", connection);
        select.Parameters.AddRange(parameters.ToArray());
        select.Parameters.AddWithValue("limit", size);
        select.Parameters.AddWithValue("offset", (long)(page - 1) * size);
        return new Page<AuditEntry>(await ReadAsync(select, ct), total, page, size);
    }

    public async Task<IReadOnlyList<AuditEntry>> StreamAsync(Guid streamId, DateTimeOffset? upTo, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand(
            $"select {Columns} from {Schema}.mt_events e where e.stream_id = @stream and (@upTo::timestamptz is null or e.timestamp <= @upTo) order by e.version",
            connection);
        select.Parameters.AddWithValue("stream", streamId);
        select.Parameters.Add(new NpgsqlParameter("upTo", NpgsqlDbType.TimestampTz) { Value = (object?)upTo ?? DBNull.Value });
        return await ReadAsync(select, ct);
    }

    public async Task<StreamInfo?> FindStreamAsync(Guid streamId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand(
            $"select id, type, version, created from {Schema}.mt_streams where id = @id", connection);
        select.Parameters.AddWithValue("id", streamId);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StreamInfo(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3));
    }

    public async Task<long> CountSinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var count = new NpgsqlCommand($"select count(*) from {Schema}.mt_events where timestamp >= @since", connection);
        count.Parameters.AddWithValue("since", since);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    private static (string Where, List<NpgsqlParameter> Parameters) Filter(AuditSearch search)
    {
        var clauses = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            parameters.Add(new NpgsqlParameter(name, value));
        }
        if (search.From is { } from) Add("e.timestamp >= @from", "from", from);
        if (search.To is { } to) Add("e.timestamp <= @to", "to", to);
        if (search.Actor is { } actor) Add("e.user_name = @actor", "actor", actor);
        if (search.Type is { } type) Add("e.type = @type", "type", EventTypeNames.ToAlias(type));
        if (search.StreamId is { } streamId) Add("e.stream_id = @stream", "stream", streamId);
        return (clauses.Count == 0 ? "" : "where " + string.Join(" and ", clauses), parameters);
    }

    private static async Task<IReadOnlyList<AuditEntry>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            JsonElement? headers = reader.IsDBNull(7) ? null : JsonDocument.Parse(reader.GetString(7)).RootElement;
            entries.Add(new AuditEntry(
                Sequence: reader.GetInt64(0),
                Timestamp: reader.GetFieldValue<DateTimeOffset>(1),
                Type: EventTypeNames.FromDotNetType(reader.IsDBNull(3) ? null : reader.GetString(3)) ?? reader.GetString(2),
                StreamId: reader.GetGuid(4),
                Version: reader.GetInt64(5),
                Actor: reader.IsDBNull(6) ? null : reader.GetString(6),
                ActorId: Header(headers, "actorId") is { } id && Guid.TryParse(id, out var g) ? g : null,
                SourceIp: Header(headers, "sourceIp"),
                UserAgent: Header(headers, "userAgent"),
                CorrelationId: reader.IsDBNull(8) ? null : reader.GetString(8),
                CausationId: reader.IsDBNull(9) ? null : reader.GetString(9),
                Data: JsonDocument.Parse(reader.GetString(10)).RootElement));
        }
        return entries;
    }

    private static string? Header(JsonElement? headers, string name) =>
        headers is { ValueKind: JsonValueKind.Object } h && h.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;
}
