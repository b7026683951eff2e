using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Cocktail.Application.Logs;
using Cocktail.Application.Logs.Searching;
using Cocktail.Application.Logs.Tailing;
using Cocktail.Domain.Logs;
using Cocktail.Infrastructure.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Infrastructure.Logs;

/// <summary>
/// Log lines in PostgreSQL: one table, partitioned first by retention class, then by day; loaded with binary COPY;
/// searched by time, workload, pod and words; expired by dropping whole day partitions.
/// </summary>
/// <remarks>
/// <para>
/// Layout: <c>logs</c> is LIST-partitioned by <c>retention</c> (the days a line is kept, one of
/// <see cref="LogRetention.Classes"/>), and each class table <c>logs_r{days}</c> is RANGE-partitioned by day
/// (<c>logs_r{days}_{yyyyMMdd}</c>). A line takes its workspace's retention when it arrives (the platform's when no
/// service map owns it), so workspaces with different retentions never share a day partition: expiring class r is
/// dropping its day tables whose day ended more than r days ago, and no row is ever deleted. A workspace whose
/// retention changes keeps its older lines under the retention they were written with until those partitions expire.
/// Partitions are created ahead (today and the next two days of every class in use) and on demand for a batch's
/// days; a line older than its retention is already expired and is not stored, one from more than a day in the future
/// (a skewed clock) is stored at the time it was received.
/// </para>
/// <para>
/// Indexes (each created on the parent, so on every partition): (ts, id) for newest-first pages and time ranges;
/// (service_map_id, ts), (workload_name, ts) and (pod, ts) for a member's, a workload's and a pod's lines (context
/// too); a BRIN on id for the tail, which follows arrival order; a GIN on to_tsvector('simple', body) for words and
/// phrases. Full-text over trigrams: measured by the logs benchmark over 500,000 bodies on this 2-core machine, the
/// tsvector GIN was half the trigram GIN's size (50 vs 100 MiB) and built in two thirds of the time (33 vs 51 s); a log
/// search is by word anyway, and phrases are positional tsqueries. (pg_trgm ships with PostgreSQL 15's contrib here.) 'simple' neither stems nor drops stop words, so a word matches as written.
/// </para>
/// <para>
/// Appends run one at a time per process: ids come from one sequence, so lines become visible in id order and a tail
/// that remembers the last id it saw misses none (a second replica appending at the same moment could commit a lower
/// id after a higher one; its tail readers would then miss that line).
/// </para>
/// </remarks>
public sealed class PostgresLogStore(NpgsqlDataSource dataSource, LogRetentions retentions, LogArrivals arrivals, IOptions<LogsOptions> options,
    TimeProvider clock) : ILogStore
{
    private const string Schema = CocktailInfrastructure.Schema;
    private const string Table = Schema + ".logs";
    private const string TextVector = "to_tsvector('simple'::regconfig, body)";

    public static readonly string CreateSql = $"""
        create sequence if not exists {Schema}.log_line_number;
        create table if not exists {Table} (
            ts timestamptz not null, id bigint not null default nextval('{Schema}.log_line_number'), observed_at timestamptz not null,
            cluster_id uuid not null, workspace_id uuid, service_map_id uuid, retention smallint not null, severity smallint not null,
            truncated boolean not null, severity_text text, namespace text, pod text, container text, node text, workload_kind text,
            workload_name text, body text not null
        ) partition by list (retention);
        create index if not exists logs_time on {Table} (ts, id);
        create index if not exists logs_service_map on {Table} (service_map_id, ts);
        create index if not exists logs_workload on {Table} (workload_name, ts);
        create index if not exists logs_pod on {Table} (pod, ts);
        create index if not exists logs_arrival on {Table} using brin (id);
        create index if not exists logs_text on {Table} using gin ({TextVector});
        """;

    private const string Columns =
        "ts, id, severity, severity_text, body, truncated, cluster_id, workspace_id, service_map_id, namespace, pod, container, node, workload_kind, workload_name";

    private const string CopyColumns =
        "ts, observed_at, cluster_id, workspace_id, service_map_id, retention, severity, truncated, severity_text, namespace, pod, container, node, " +
        "workload_kind, workload_name, body";

    private readonly SemaphoreSlim _appending = new(1, 1);
    private readonly ConcurrentDictionary<(int Days, DateTime Day), bool> _partitions = new();

    public async Task<LogAppendResult> AppendAsync(IReadOnlyList<IncomingLogLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return new LogAppendResult(0, 0, 0);
        var retentionOf = await retentions.CurrentAsync(ct);
        var now = clock.GetUtcNow();
        var rows = new List<Row>(lines.Count);
        var truncated = 0;
        foreach (var line in lines)
        {
            var days = retentionOf(line.WorkspaceId);
            var time = line.Time > now.AddDays(1) ? line.ObservedAt > now.AddDays(1) ? now : line.ObservedAt : line.Time;
            if (time < now.AddDays(-days)) continue;
            var (body, cut) = Clean(line.Body, options.Value.MaxBodyLength);
            if (cut || line.Truncated) truncated++;
            rows.Add(new Row(line, time.ToUniversalTime(), (short)days, body, cut || line.Truncated));
        }
        if (rows.Count == 0) return new LogAppendResult(lines.Count, 0, 0);

        await _appending.WaitAsync(ct);
        try
        {
            await EnsurePartitionsAsync(rows.Select(r => ((int)r.Days, r.Time.UtcDateTime.Date)).Distinct(), force: false, ct);
            int stored;
            try
            {
                stored = await CopyAsync(rows, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
            {
                // "No partition for the row": another replica dropped or has not made a partition this one thought was there.
                _partitions.Clear();
                await EnsurePartitionsAsync(rows.Select(r => ((int)r.Days, r.Time.UtcDateTime.Date)).Distinct(), force: true, ct);
                stored = await CopyAsync(rows, ct);
            }
            arrivals.Notify();
            return new LogAppendResult(lines.Count, stored, truncated);
        }
        finally
        {
            _appending.Release();
        }
    }

    private sealed record Row(IncomingLogLine Line, DateTimeOffset Time, short Days, string Body, bool Truncated);

    /// <summary>
    /// What PostgreSQL text and tsvector accept: no NUL, no lone surrogate, not longer than the limit (a tsvector holds
    /// at most 1 MB). Checked with vectorised searches, so clean lines cost almost nothing.
    /// </summary>
    public static (string Body, bool Cut) Clean(string body, int maxLength)
    {
        var cut = body.Length > maxLength;
        if (cut)
        {
            var end = maxLength;
            if (char.IsHighSurrogate(body[end - 1])) end--;
            body = body[..end];
        }
        var span = body.AsSpan();
        if (span.IndexOf('\0') < 0 && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return (body, cut);
        var b = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\0') b.Append('\uFFFD');
            else if (char.IsHighSurrogate(c) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1])) b.Append(c).Append(body[++i]);
            else if (char.IsSurrogate(c)) b.Append('\uFFFD');
            else b.Append(c);
        }
        return (b.ToString(), cut);
    }

    private async Task<int> CopyAsync(List<Row> rows, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var copy = await connection.BeginBinaryImportAsync($"copy {Table} ({CopyColumns}) from stdin (format binary)", ct);
        foreach (var row in rows)
        {
            var l = row.Line;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(row.Time, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(l.ObservedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(l.ClusterId, NpgsqlDbType.Uuid, ct);
            await copy.WriteNullableAsync(l.WorkspaceId, NpgsqlDbType.Uuid, ct);
            await copy.WriteNullableAsync(l.ServiceMapId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.Days, NpgsqlDbType.Smallint, ct);
            await copy.WriteAsync((short)Math.Clamp(l.SeverityNumber, 0, 24), NpgsqlDbType.Smallint, ct);
            await copy.WriteAsync(row.Truncated, NpgsqlDbType.Boolean, ct);
            await copy.WriteNullableAsync(Short(l.SeverityText), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.Namespace), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.Pod), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.Container), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.Node), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.WorkloadKind), NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(Short(l.WorkloadName), NpgsqlDbType.Text, ct);
            await copy.WriteAsync(row.Body, NpgsqlDbType.Text, ct);
        }
        return (int)await copy.CompleteAsync(ct);
    }

    /// <summary>Names are Kubernetes names (at most 253 characters); anything else is cut rather than refused.</summary>
    private static string? Short(string? value) => value is null ? null : Clean(value, 253).Body;

    /// <summary>Today and the next two days of every class in use (and of the default and platform classes), for housekeeping.</summary>
    public async Task EnsurePartitionsAheadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var classes = (await ClassesInUseAsync(ct)).Append(LogRetention.DefaultDays).Append(retentions.PlatformDays).Distinct();
        var today = now.UtcDateTime.Date;
        await EnsurePartitionsAsync(classes.SelectMany(days => Enumerable.Range(0, 3).Select(i => (days, today.AddDays(i)))), force: false, ct);
    }

    private async Task<IEnumerable<int>> ClassesInUseAsync(CancellationToken ct) =>
        (await DayPartitions.ChildrenAsync(dataSource, Schema, "logs", ct)).Select(ClassOf).OfType<int>();

    private static int? ClassOf(string name) => name.StartsWith("logs_r", StringComparison.Ordinal) && int.TryParse(name["logs_r".Length..], out var d) ? d : null;

    private async Task EnsurePartitionsAsync(IEnumerable<(int Days, DateTime Day)> partitions, bool force, CancellationToken ct)
    {
        foreach (var (days, day) in partitions)
        {
            if (!force && _partitions.ContainsKey((days, day))) continue;
            await CreateAsync($"create table if not exists {Table}_r{days} partition of {Table} for values in ({days}) partition by range (ts)", ct);
            await CreateAsync($"create table if not exists {Table}_r{days}_{DayPartitions.Suffix(day)} partition of {Table}_r{days} for values {DayPartitions.Bounds(day)}", ct);
            _partitions[(days, day)] = true;
        }
    }

    private async Task CreateAsync(string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        try { await command.ExecuteNonQueryAsync(ct); }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
        {
            // Another replica made it at the same moment ("if not exists" does not cover that race).
        }
    }

    /// <summary>
    /// Drops every day partition whose whole day is older than its class's retention: class r keeps the days that ended
    /// less than r days before <paramref name="now"/>. Answers the partitions dropped.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        var dropped = new List<string>();
        foreach (var parent in await DayPartitions.ChildrenAsync(dataSource, Schema, "logs", ct))
        {
            if (ClassOf(parent) is not { } days) continue;
            foreach (var name in await DayPartitions.ChildrenAsync(dataSource, Schema, parent, ct))
            {
                if (!DayPartitions.TryParseSuffix(name, out var day) || day.AddDays(1 + days) > now.UtcDateTime) continue;
                await using var drop = dataSource.CreateCommand($"drop table if exists {Schema}.{name}");
                await drop.ExecuteNonQueryAsync(ct);
                _partitions.TryRemove((days, day), out _);
                dropped.Add(name);
            }
        }
        return dropped;
    }

    public async Task<LogPage> SearchAsync(LogSearch search, LogVisibility visibility, int limit, string? before, CancellationToken ct)
    {
        var sql = new Sql();
        var where = Where(sql, search, visibility);
        if (before is not null && LogLineId.TryParse(before, out var cursor))
            where += $" and (ts, id) < ({sql.P(cursor.Time)}, {sql.P(cursor.Number)})";
        var items = await ReadAsync($"select {Columns} from {Table} where {where} order by ts desc, id desc limit {limit + 1}", sql, ct);
        var more = items.Count > limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new LogPage(items, more, more ? items[^1].Id : null);
    }

    public async Task<IReadOnlyList<LogLine>> ContextAsync(string lineId, int before, int after, LogVisibility visibility, CancellationToken ct)
    {
        if (!LogLineId.TryParse(lineId, out var id)) return [];
        var sql = new Sql();
        var visible = Visible(sql, visibility);
        var found = await ReadAsync($"select {Columns} from {Table} where ts = {sql.P(id.Time)} and id = {sql.P(id.Number)} and {visible}", sql, ct);
        if (found.Count == 0) return [];
        var line = found[0];
        var around = new Sql();
        var same = $"cluster_id = {around.P(line.ClusterId)} and {Same(around, "pod", line.Pod)} and {Same(around, "container", line.Container)} and " +
                   Visible(around, visibility);
        var at = $"({around.P(id.Time)}, {around.P(id.Number)})";
        var day = TimeSpan.FromDays(1);
        var older = await ReadAsync(
            $"select {Columns} from {Table} where {same} and ts >= {around.P(id.Time - day)} and (ts, id) < {at} order by ts desc, id desc limit {before}", around, ct);
        var newer = await ReadAsync(
            $"select {Columns} from {Table} where {same} and ts <= {around.P(id.Time + day)} and (ts, id) > {at} order by ts, id limit {after}", around, ct);
        older.Reverse();
        return [.. older, line, .. newer];
    }

    private static string Same(Sql sql, string column, string? value) => value is null ? $"{column} is null" : $"{column} = {sql.P(value)}";

    public async Task<IReadOnlyList<LogHistogramBucket>> HistogramAsync(LogSearch search, LogVisibility visibility, int buckets, CancellationToken ct)
    {
        buckets = Math.Clamp(buckets, 1, 1000);
        var from = search.From.ToUniversalTime();
        var seconds = Math.Max(1, (long)Math.Ceiling((search.To - search.From).TotalSeconds / buckets));
        var count = (int)Math.Max(1, Math.Ceiling((search.To - search.From).TotalSeconds / seconds));
        var sql = new Sql();
        var where = Where(sql, search, visibility);
        var counts = new long[count];
        await RunAsync(sql, $"select floor(extract(epoch from ts - {sql.P(from)}) / {seconds})::int as bucket, count(*) from {Table} where {where} group by 1",
            options.Value.StatementTimeout, async reader =>
            {
                while (await reader.ReadAsync(ct))
                {
                    var b = reader.GetInt32(0);
                    if (b >= 0 && b < count) counts[b] += reader.GetInt64(1);
                    else if (b == count) counts[count - 1] += reader.GetInt64(1);
                }
            }, ct);
        return [.. Enumerable.Range(0, count).Select(i => new LogHistogramBucket(from.AddSeconds(i * seconds), Min(from.AddSeconds((i + 1) * seconds), search.To), counts[i]))];
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>
    /// By arrival (the id), not by the line's own time: a collector that ships late still shows in the tail. Lines are looked
    /// for back to a quarter of an hour before the cursor's line, which bounds what is read; the BRIN on id skips the rest.
    /// </summary>
    public async Task<IReadOnlyList<LogLine>> TailAsync(LogSearch search, LogVisibility visibility, string? after, int limit, CancellationToken ct)
    {
        var sql = new Sql();
        if (after is null || !LogLineId.TryParse(after, out var cursor))
        {
            var newest = await ReadAsync($"select {Columns} from {Table} where {Where(sql, search, visibility)} order by ts desc, id desc limit {limit}", sql, ct);
            newest.Reverse();
            return newest;
        }
        var from = cursor.Time - TimeSpan.FromMinutes(15);
        var where = Where(sql, search with { From = from, To = DateTimeOffset.MaxValue }, visibility);
        return await ReadAsync($"select {Columns} from {Table} where {where} and id > {sql.P(cursor.Number)} order by id limit {limit}", sql, ct);
    }

    public async IAsyncEnumerable<LogLine> ExportAsync(LogSearch search, LogVisibility visibility, int max, [EnumeratorCancellation] CancellationToken ct)
    {
        var sql = new Sql();
        var where = Where(sql, search, visibility);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await SetTimeoutAsync(connection, transaction, options.Value.ExportTimeout, ct);
        await using var command = new NpgsqlCommand($"select {Columns} from {Table} where {where} order by ts desc, id desc limit {max}", connection, transaction);
        command.Parameters.AddRange(sql.Fresh());
        NpgsqlDataReader reader;
        try { reader = await command.ExecuteReaderAsync(ct); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled) { throw new LogQueryTimeoutException(e); }
        await using (reader)
            while (await reader.ReadAsync(ct))
                yield return ReadLine(reader);
    }

    private async Task<List<LogLine>> ReadAsync(string query, Sql sql, CancellationToken ct)
    {
        var lines = new List<LogLine>();
        await RunAsync(sql, query, options.Value.StatementTimeout, async reader =>
        {
            while (await reader.ReadAsync(ct)) lines.Add(ReadLine(reader));
        }, ct);
        return lines;
    }

    /// <summary>Every read runs under a statement timeout, so that no query, however broad, reads the whole table.</summary>
    private async Task RunAsync(Sql sql, string query, TimeSpan timeout, Func<NpgsqlDataReader, Task> read, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await SetTimeoutAsync(connection, transaction, timeout, ct);
        await using var command = new NpgsqlCommand(query, connection, transaction);
        command.Parameters.AddRange(sql.Fresh());
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            await read(reader);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new LogQueryTimeoutException(e);
        }
    }

    private static async Task SetTimeoutAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TimeSpan timeout, CancellationToken ct)
    {
        await using var set = new NpgsqlCommand($"set local statement_timeout = {(long)timeout.TotalMilliseconds}", connection, transaction);
        await set.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The filters, the caller's visibility and the text query as SQL (values always as parameters).</summary>
    private static string Where(Sql sql, LogSearch s, LogVisibility visibility)
    {
        var clauses = new List<string> { $"ts >= {sql.P(s.From.ToUniversalTime())}" };
        if (s.To < DateTimeOffset.MaxValue) clauses.Add($"ts <= {sql.P(s.To.ToUniversalTime())}");
        clauses.Add(Visible(sql, visibility));
        if (s.ClusterIds is { Count: > 0 } clusters)
            clauses.Add(clusters.Count == 1 ? $"cluster_id = {sql.P(clusters.First())}" : $"cluster_id = any({sql.P(clusters.ToArray())})");
        if (s.WorkspaceId is { } workspace) clauses.Add($"workspace_id = {sql.P(workspace)}");
        if (s.ServiceMapId is { } map) clauses.Add($"service_map_id = {sql.P(map)}");
        if (s.WorkloadName is { } workload) clauses.Add($"workload_name = {sql.P(workload)}");
        if (s.Pod is { } pod) clauses.Add($"pod = {sql.P(pod)}");
        if (s.Container is { } container) clauses.Add($"container = {sql.P(container)}");
        if (s.MinSeverity is { } severity) clauses.Add($"severity >= {sql.P((short)severity)}");
        if (LogQuery.TryParse(s.Text, out var query, out _) && !query.IsEmpty)
        {
            var required = query.Terms.Where(t => !t.Excluded).Select(t => $"phraseto_tsquery('simple', {sql.P(t.Text)})").ToList();
            if (required.Count > 0) clauses.Add($"{TextVector} @@ ({string.Join(" && ", required)})");
            foreach (var excluded in query.Terms.Where(t => t.Excluded))
                clauses.Add($"not ({TextVector} @@ phraseto_tsquery('simple', {sql.P(excluded.Text)}))");
        }
        return string.Join(" and ", clauses);
    }

    /// <summary>Everything, or the lines of the caller's service maps (never a line no service map owns).</summary>
    private static string Visible(Sql sql, LogVisibility visibility) =>
        visibility.All ? "true"
        : visibility.ServiceMapIds.Count == 0 ? "false"
        : visibility.ServiceMapIds.Count == 1 ? $"service_map_id = {sql.P(visibility.ServiceMapIds.First())}"
        : $"service_map_id = any({sql.P(visibility.ServiceMapIds.ToArray())})";

    private static LogLine ReadLine(NpgsqlDataReader r)
    {
        var time = r.GetFieldValue<DateTimeOffset>(0);
        return new LogLine(LogLineId.Of(time, r.GetInt64(1)).ToString(), time, r.GetInt16(2), Nullable(r, 3), r.GetString(4), r.GetBoolean(5),
            r.GetGuid(6), r.IsDBNull(7) ? null : r.GetGuid(7), r.IsDBNull(8) ? null : r.GetGuid(8), Nullable(r, 9), Nullable(r, 10), Nullable(r, 11),
            Nullable(r, 12), Nullable(r, 13), Nullable(r, 14));
    }

    private static string? Nullable(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private sealed class Sql
    {
        public List<NpgsqlParameter> Parameters { get; } = [];

        /// <summary>Copies of the parameters: a parameter belongs to one command, and context sends two with the same ones.</summary>
        public NpgsqlParameter[] Fresh() => [.. Parameters.Select(p => p.Clone())];

        public string P(object value)
        {
            Parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + Parameters.Count;
        }
    }
}
