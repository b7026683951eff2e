using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.KubernetesAudit.Searching;
using Cocktail.Infrastructure.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Infrastructure.KubernetesAudit;

/// <summary>
/// Kubernetes audit records in a table partitioned by day: bulk inserts of whole batches, idempotent on
/// (auditID, stage) through the primary key, searched by time with keyset paging, purged by dropping old partitions.
/// </summary>
/// <remarks>
/// A batch is written with a binary COPY, PostgreSQL's cheapest way in. A batch that repeats stored events (an API
/// server resending after a lost answer) makes the COPY fail on the primary key; it is then inserted again with
/// ON CONFLICT DO NOTHING, which skips exactly the duplicates. The raw event is kept as text: it is only ever shown
/// whole, the batch was already checked to be JSON, and having PostgreSQL build jsonb of every event cost more than
/// the rest of the row.
/// </remarks>
public sealed class KubernetesAuditStore(NpgsqlDataSource dataSource) : IKubernetesAuditStore
{
    private const string Table = CocktailInfrastructure.Schema + ".k8s_audit";

    public static readonly string CreateSql = $"""
        create table if not exists {Table} (
            cluster_id uuid not null, audit_id uuid not null, stage text not null, ts timestamptz not null, stage_ts timestamptz,
            verb text not null, username text not null, groups text[] not null, impersonated text, source_ips text[] not null,
            user_agent text, resource text, subresource text, namespace text, name text, api_group text, api_version text,
            request_uri text not null, code int, level text not null, grant_id uuid, cocktail_user text, event text not null,
            primary key (cluster_id, ts, audit_id, stage)
        ) partition by range (ts);
        do $$ begin
            if exists (select 1 from information_schema.columns where table_schema = '{CocktailInfrastructure.Schema}' and table_name = 'k8s_audit'
                       and column_name = 'event' and data_type = 'jsonb') then
                alter table {Table} alter column event type text using event::text;
            end if;
        end $$;
        create table if not exists {Table}_default partition of {Table} default;
        create index if not exists k8s_audit_user on {Table} (cluster_id, username, ts desc);
        create index if not exists k8s_audit_cocktail_user on {Table} (cocktail_user, ts desc) where cocktail_user is not null;
        create index if not exists k8s_audit_resource on {Table} (cluster_id, resource, ts desc);
        create index if not exists k8s_audit_namespace on {Table} (cluster_id, namespace, ts desc);
        """;

    private const string Columns =
        "cluster_id, audit_id, stage, ts, stage_ts, verb, username, groups, impersonated, source_ips, user_agent, resource, subresource, " +
        "namespace, name, api_group, api_version, request_uri, code, level, grant_id, cocktail_user";

    /// <summary>Daily partitions from yesterday to the day after tomorrow, so arriving events rarely land in the default one.</summary>
    public async Task EnsurePartitionsAsync(DateTimeOffset now, CancellationToken ct)
    {
        for (var day = now.UtcDateTime.Date.AddDays(-1); day <= now.UtcDateTime.Date.AddDays(2); day = day.AddDays(1))
        {
            await using var command = dataSource.CreateCommand(
                $"create table if not exists {Table}_p{day:yyyyMMdd} partition of {Table} for values from ('{day:yyyy-MM-dd}') to ('{day.AddDays(1):yyyy-MM-dd}')");
            try { await command.ExecuteNonQueryAsync(ct); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
            {
                // Rows of that day already sit in the default partition; they stay there and are still searched.
            }
        }
    }

    public async Task<IngestResult> IngestAsync(Guid clusterId, IReadOnlyList<ParsedAuditEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return new IngestResult(0, 0);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return new IngestResult(events.Count, await CopyAsync(connection, events, ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new IngestResult(events.Count, await InsertNewAsync(connection, events, ct));
        }
    }

    private static async Task<int> CopyAsync(NpgsqlConnection connection, IReadOnlyList<ParsedAuditEvent> events, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"copy {Table} ({Columns}, event) from stdin (format binary)", ct);
        foreach (var e in events)
        {
            var r = e.Record;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(r.ClusterId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(r.AuditId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(r.Stage, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.Timestamp, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteNullableAsync(r.StageTimestamp, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(r.Verb, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.User, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(Strings(r.Groups), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.ImpersonatedUser, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(Strings(r.SourceIps), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.UserAgent, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.Resource, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.Subresource, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.Namespace, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.Name, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.ApiGroup, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.ApiVersion, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.RequestUri, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.Code, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(r.Level, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(r.GrantId, NpgsqlDbType.Uuid, ct);
            await copy.WriteNullableAsync(r.CocktailUser, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(e.RawJson, NpgsqlDbType.Text, ct);
        }
        return (int)await copy.CompleteAsync(ct);
    }

    private static string[] Strings(IReadOnlyList<string> values) => values as string[] ?? [.. values];

    /// <summary>The batch again, skipping the events already stored; answers how many were new.</summary>
    private static async Task<int> InsertNewAsync(NpgsqlConnection connection, IReadOnlyList<ParsedAuditEvent> events, CancellationToken ct)
    {
        var r = events.Select(e => e.Record).ToList();
        await using var command = new NpgsqlCommand($"""
            insert into {Table} ({Columns}, event)
            select cluster_id, audit_id, stage, ts, stage_ts, verb, username, groups::text[], impersonated, source_ips::text[], user_agent,
                   resource, subresource, namespace, name, api_group, api_version, request_uri, code, level, grant_id, cocktail_user, event
            from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
                $17::text[], $18::text[], $19::int[], $20::text[], $21::uuid[], $22::text[], $23::text[])
                as t(cluster_id, audit_id, stage, ts, stage_ts, verb, username, groups, impersonated, source_ips, user_agent,
                     resource, subresource, namespace, name, api_group, api_version, request_uri, code, level, grant_id, cocktail_user, event)
            on conflict do nothing
            """, connection);
        Add(command, r.Select(x => x.ClusterId).ToArray());
        Add(command, r.Select(x => x.AuditId).ToArray());
        Add(command, r.Select(x => x.Stage).ToArray());
        Add(command, r.Select(x => x.Timestamp).ToArray());
        Add(command, r.Select(x => x.StageTimestamp).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
        Add(command, r.Select(x => x.Verb).ToArray());
        Add(command, r.Select(x => x.User).ToArray());
        Add(command, r.Select(x => ArrayLiteral(x.Groups)).ToArray());
        Add(command, r.Select(x => x.ImpersonatedUser).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => ArrayLiteral(x.SourceIps)).ToArray());
        Add(command, r.Select(x => x.UserAgent).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.Resource).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.Subresource).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.Namespace).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.Name).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.ApiGroup).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.ApiVersion).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, r.Select(x => x.RequestUri).ToArray());
        Add(command, r.Select(x => x.Code).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
        Add(command, r.Select(x => x.Level).ToArray());
        Add(command, r.Select(x => x.GrantId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
        Add(command, r.Select(x => x.CocktailUser).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, events.Select(e => Encoding.UTF8.GetString(e.RawJson.Span)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<AuditPage> SearchAsync(IReadOnlyCollection<Guid> clusterIds, AuditFilter filter, int limit, string? before, CancellationToken ct)
    {
        var (where, parameters) = Where(clusterIds, filter, before);
        await using var command = dataSource.CreateCommand($"select {Columns} from {Table} where {where} order by ts desc, audit_id desc limit {limit + 1}");
        foreach (var p in parameters) command.Parameters.Add(p);
        var items = new List<AuditRecord>(Math.Min(limit + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) items.Add(ReadRecord(reader));
        var more = items.Count > limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new AuditPage(items, more, more ? AuditCursor.Format(items[^1].Timestamp, items[^1].AuditId) : null);
    }

    public async IAsyncEnumerable<AuditRecord> ExportAsync(Guid clusterId, AuditFilter filter, int max, [EnumeratorCancellation] CancellationToken ct)
    {
        var (where, parameters) = Where([clusterId], filter, null);
        await using var command = dataSource.CreateCommand($"select {Columns} from {Table} where {where} order by ts desc, audit_id desc limit {max}");
        foreach (var p in parameters) command.Parameters.Add(p);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return ReadRecord(reader);
    }

    public async Task<IReadOnlyList<AuditRecordDetail>> GetAsync(Guid clusterId, Guid auditId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns}, event from {Table} where cluster_id = $1 and audit_id = $2 order by ts, stage");
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = auditId });
        var details = new List<AuditRecordDetail>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            details.Add(new AuditRecordDetail(ReadRecord(reader), JsonDocument.Parse(reader.GetString(22)).RootElement.Clone()));
        return details;
    }

    public async Task PurgeOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        foreach (var name in await DayPartitions.ChildrenAsync(dataSource, CocktailInfrastructure.Schema, "k8s_audit", ct))
        {
            // k8s_audit_pYYYYMMDD holds that day; the whole day is older than the cutoff when the next day is.
            if (name.Length != "k8s_audit_p".Length + 8 || !DayPartitions.TryParseSuffix(name, out var day)) continue;
            if (day.AddDays(1) > cutoff.UtcDateTime) continue;
            await using var drop = dataSource.CreateCommand($"drop table if exists {CocktailInfrastructure.Schema}.{name}");
            await drop.ExecuteNonQueryAsync(ct);
        }
        await using var delete = dataSource.CreateCommand($"delete from {Table}_default where ts < $1");
        delete.Parameters.Add(new NpgsqlParameter { Value = cutoff.ToUniversalTime() });
        await delete.ExecuteNonQueryAsync(ct);
    }

    private static (string Where, List<NpgsqlParameter> Parameters) Where(IReadOnlyCollection<Guid> clusterIds, AuditFilter f, string? before)
    {
        var parameters = new List<NpgsqlParameter>();
        string P(object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + parameters.Count;
        }
        var clauses = new List<string>
        {
            // "= any(array)" would keep PostgreSQL (before 17) from reading the primary key in time order, so a search
            // of one cluster would sort every row of its window instead of stopping at the page's last row.
            clusterIds.Count == 1 ? $"cluster_id = {P(clusterIds.First())}" : $"cluster_id = any({P(clusterIds.ToArray())})",
            $"ts >= {P(f.From.ToUniversalTime())}",
            $"ts <= {P(f.To.ToUniversalTime())}",
        };
        if (f.User is { } user) clauses.Add($"username = {P(user)}");
        if (f.Verb is { } verb) clauses.Add($"verb = {P(verb)}");
        if (f.Resource is { } resource) clauses.Add($"resource = {P(resource)}");
        if (f.Namespace is { } ns) clauses.Add($"namespace = {P(ns)}");
        if (f.Name is { } name) clauses.Add($"name = {P(name)}");
        if (f.Code is { } code) clauses.Add($"code = {P(code)}");
        if (f.CocktailUser is { } cocktailUser) clauses.Add($"cocktail_user = {P(cocktailUser)}");
        if (before is not null && AuditCursor.TryParse(before, out var cursor))
            clauses.Add($"(ts, audit_id) < ({P(cursor.Timestamp)}, {P(cursor.AuditId)})");
        return (string.Join(" and ", clauses), parameters);
    }

    private static AuditRecord ReadRecord(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        r.GetString(5), r.GetString(6), r.GetFieldValue<string[]>(7), Nullable(r, 8), r.GetFieldValue<string[]>(9), Nullable(r, 10),
        Nullable(r, 11), Nullable(r, 12), Nullable(r, 13), Nullable(r, 14), Nullable(r, 15), Nullable(r, 16), r.GetString(17),
        r.IsDBNull(18) ? null : r.GetInt32(18), r.GetString(19), r.IsDBNull(20) ? null : r.GetGuid(20), Nullable(r, 21));

    private static string? Nullable(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static void Add<T>(NpgsqlCommand command, T[] values, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter { Value = values };
        if (type is { } t) parameter.NpgsqlDbType = t;
        command.Parameters.Add(parameter);
    }

    /// <summary>unnest flattens arrays of arrays, so string lists travel as Postgres array literals and are cast back.</summary>
    private static string ArrayLiteral(IReadOnlyList<string> values) =>
        "{" + string.Join(",", values.Select(v => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")) + "}";
}
