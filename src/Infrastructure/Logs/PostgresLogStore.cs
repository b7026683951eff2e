using System.Collections.Concurrent;
using System.Globalization;
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
/// Log lines in PostgreSQL: one table, partitioned by retention class, then by day, then by hour; loaded with binary
/// COPY; searched by time, workload, pod and words; expired by dropping whole day partitions.
/// </summary>
/// <remarks>
/// <para>
/// Layout: <c>logs</c> is LIST-partitioned by <c>retention</c> (the days a line is kept, one of
/// <see cref="LogRetention.Classes"/>), each class table <c>logs_r{days}</c> is RANGE-partitioned by day
/// (<c>logs_r{days}_{yyyyMMdd}</c>) and each day by hour (<c>logs_r{days}_{yyyyMMdd}_{HH}</c>, the leaves). A line takes
/// its workspace's retention when it arrives (the platform's when no service map owns it), so workspaces with different
/// retentions never share a partition: expiring class r is dropping its day tables whose day ended more than r days
/// ago, and no row is deleted for expiry. A workspace whose retention is shortened has its stored lines moved to the
/// shorter class (and those already past it deleted) once, by <see cref="ApplyShortenedRetentionsAsync"/>. Partitions
/// are created ahead (this hour and the next two of every class in use) and on demand for a batch's hours; a line
/// older than its retention is already expired and is not stored, one from more than a day in the future (a skewed
/// clock) is stored at the time it was received.
/// </para>
/// <para>
/// Indexes, in two steps, because maintaining them row by row is what made ingest slow (measured by the logs benchmark:
/// a binary COPY of 500,000 lines took 7 s bare, 9 s with (ts, id) and a BRIN, 17 s with the workload b-tree too, 56 s
/// with the service map and pod b-trees, and building the full-text GIN over the same lines afterwards took longer than
/// all of those; GIN maintenance row by row was the worst of all). While an hour is written (the open hour, and late
/// lines into closed ones), every leaf has (ts, id) for newest-first pages and time ranges, (workload_name, ts) for a
/// workload's lines, and a BRIN on <c>tx</c> for the tail. When an hour has closed (<see cref="SealClosedHoursAsync"/>)
/// its leaf gets (service_map_id, ts), (pod, ts) and the GIN on to_tsvector('simple', body), each built in one sorted
/// pass with CREATE INDEX CONCURRENTLY (no lock against late lines, no transaction id held, so tails are not held
/// back). A search over an unsealed hour checks the words on the rows its filters leave (the workload b-tree keeps that
/// to one workload's lines of an hour), so results are the same before and after sealing, only the cost differs.
/// Full-text over trigrams: measured by the logs benchmark over 500,000 bodies on this 2-core machine, the tsvector GIN
/// was half the trigram GIN's size (50 vs 100 MiB) and built in two thirds of the time (33 vs 51 s); a log search is by
/// word anyway, and phrases are positional tsqueries. 'simple' neither stems nor drops stop words, so a word matches as
/// written.
/// </para>
/// <para>
/// Tail without missing lines across replicas: appends run in parallel (here and on other replicas), so ids (one
/// sequence) do not become visible in id order. Each row records the transaction that wrote it (<c>tx</c>, from
/// txid_current()), and a tail only returns rows of transactions older than the oldest one still running
/// (txid_snapshot_xmin), in (tx, id) order: every transaction below that horizon has committed or aborted, so nothing
/// can appear behind the cursor later. A long write transaction elsewhere in the database delays the tail (never loses a
/// line); index builds do not hold one.
/// </para>
/// </remarks>
public sealed class PostgresLogStore(NpgsqlDataSource dataSource, LogRetentions retentions, LogArrivals arrivals, IOptions<LogsOptions> options,
    TimeProvider clock) : ILogStore
{
    private const string Schema = CocktailInfrastructure.Schema;
    private const string Table = Schema + ".logs";
    private const string TextVector = "to_tsvector('simple'::regconfig, body)";

    /// <summary>Session-level advisory lock key of the sealing run: one replica builds indexes at a time.</summary>
    private const long SealingLock = 0x636f636b_6c6f6773; // "cocklogs"

    public static readonly string CreateSql = $"""
        create sequence if not exists {Schema}.log_line_number;
        create table if not exists {Table} (
            ts timestamptz not null, id bigint not null default nextval('{Schema}.log_line_number'), observed_at timestamptz not null,
            cluster_id uuid not null, workspace_id uuid, service_map_id uuid, retention smallint not null, severity smallint not null,
            truncated boolean not null, severity_text text, namespace text, pod text, container text, node text, workload_kind text,
            workload_name text, body text not null, tx bigint not null default txid_current()
        ) partition by list (retention);
        alter table {Table} add column if not exists tx bigint not null default txid_current();
        create index if not exists logs_time on {Table} (ts, id);
        create index if not exists logs_workload on {Table} (workload_name, ts);
        create index if not exists logs_arrival_tx on {Table} using brin (tx);
        drop index if exists {Schema}.logs_service_map, {Schema}.logs_pod, {Schema}.logs_arrival, {Schema}.logs_text;
        create table if not exists {Schema}.log_retention_applied (workspace_id uuid primary key, days smallint not null, applied_at timestamptz not null);
        """;

    private const string Columns =
        "ts, id, severity, severity_text, body, truncated, cluster_id, workspace_id, service_map_id, namespace, pod, container, node, workload_kind, workload_name";

    private const string CopyColumns =
        "ts, observed_at, cluster_id, workspace_id, service_map_id, retention, severity, truncated, severity_text, namespace, pod, container, node, " +
        "workload_kind, workload_name, body";

    private readonly ConcurrentDictionary<(int Days, DateTime Hour), bool> _partitions = new();

    /// <summary>
    /// Stores a batch with one binary COPY. Batches may be appended in parallel (the receiver runs several writers, other
    /// replicas write too): the tail's transaction horizon keeps arrival order safe, so nothing here serialises them.
    /// </summary>
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

        await EnsurePartitionsAsync(HoursOf(rows), force: false, ct);
        int stored;
        try
        {
            stored = await CopyAsync(rows, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            // "No partition for the row": another replica dropped or has not made a partition this one thought was there.
            _partitions.Clear();
            await EnsurePartitionsAsync(HoursOf(rows), force: true, ct);
            stored = await CopyAsync(rows, ct);
        }
        arrivals.Notify();
        return new LogAppendResult(lines.Count, stored, truncated);
    }

    private static IEnumerable<(int Days, DateTime Hour)> HoursOf(List<Row> rows) =>
        rows.Select(r => ((int)r.Days, Hour(r.Time.UtcDateTime))).Distinct();

    private static DateTime Hour(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);

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

    /// <summary>This hour and the next two of every class in use (and of the default and platform classes), for housekeeping.</summary>
    public async Task EnsurePartitionsAheadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var classes = (await ClassesInUseAsync(ct)).Append(LogRetention.DefaultDays).Append(retentions.PlatformDays).Distinct();
        var hour = Hour(now.UtcDateTime);
        await EnsurePartitionsAsync(classes.SelectMany(days => Enumerable.Range(0, 3).Select(i => (days, hour.AddHours(i)))), force: false, ct);
    }

    private async Task<IEnumerable<int>> ClassesInUseAsync(CancellationToken ct) =>
        (await DayPartitions.ChildrenAsync(dataSource, Schema, "logs", ct)).Select(ClassOf).OfType<int>();

    private static int? ClassOf(string name) => name.StartsWith("logs_r", StringComparison.Ordinal) && int.TryParse(name["logs_r".Length..], out var d) ? d : null;

    private static string HourSuffix(DateTime hour) => hour.ToString("yyyyMMdd_HH", CultureInfo.InvariantCulture);

    private async Task EnsurePartitionsAsync(IEnumerable<(int Days, DateTime Hour)> partitions, bool force, CancellationToken ct)
    {
        foreach (var (days, hour) in partitions)
        {
            if (!force && _partitions.ContainsKey((days, hour))) continue;
            var day = hour.Date;
            var dayTable = $"{Table}_r{days}_{DayPartitions.Suffix(day)}";
            await CreateAsync($"create table if not exists {Table}_r{days} partition of {Table} for values in ({days}) partition by range (ts)", ct);
            await CreateAsync($"create table if not exists {dayTable} partition of {Table}_r{days} for values {DayPartitions.Bounds(day)} partition by range (ts)", ct);
            await CreateAsync($"create table if not exists {Table}_r{days}_{HourSuffix(hour)} partition of {dayTable} " +
                              $"for values from ('{hour:yyyy-MM-dd HH}:00:00+00') to ('{hour.AddHours(1):yyyy-MM-dd HH}:00:00+00')", ct);
            _partitions[(days, hour)] = true;
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
                for (var h = 0; h < 24; h++) _partitions.TryRemove((days, day.AddHours(h)), out _);
                dropped.Add(name);
            }
        }
        return dropped;
    }

    /// <summary>
    /// Builds the deferred indexes ((service_map_id, ts), (pod, ts), the full-text GIN) of every hour leaf that closed more
    /// than <paramref name="grace"/> before <paramref name="now"/>, newest first, one leaf at a time, with CREATE INDEX
    /// CONCURRENTLY (late lines keep arriving; no transaction id is held, so tails are not held back). One replica at a
    /// time (a session advisory lock); a build interrupted midway leaves an invalid index, dropped and rebuilt next time.
    /// Answers the leaves sealed.
    /// </summary>
    public async Task<IReadOnlyList<string>> SealClosedHoursAsync(DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        var sealedLeaves = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var locking = new NpgsqlCommand($"select pg_try_advisory_lock({SealingLock})", connection))
            if (await locking.ExecuteScalarAsync(ct) is not true) return sealedLeaves;
        try
        {
            await using (var memory = new NpgsqlCommand($"set maintenance_work_mem = '{options.Value.IndexBuildMemoryMb}MB'", connection))
                await memory.ExecuteNonQueryAsync(ct);
            var open = new List<(string Leaf, DateTime End)>();
            await using (var leaves = new NpgsqlCommand(
                             $"select c.relname from pg_partition_tree('{Table}') t join pg_class c on c.oid = t.relid where t.isleaf and not exists " +
                             "(select 1 from pg_index i join pg_class x on x.oid = i.indexrelid where i.indrelid = t.relid and x.relname = c.relname || '_text' and i.indisvalid)",
                             connection))
            await using (var reader = await leaves.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    if (LeafEnd(reader.GetString(0)) is { } end && end + grace <= now.UtcDateTime) open.Add((reader.GetString(0), end));
            foreach (var (leaf, _) in open.OrderByDescending(l => l.End))
            {
                await DropInvalidAsync(connection, leaf, ct);
                foreach (var (suffix, definition) in DeferredIndexes)
                {
                    await using var build = new NpgsqlCommand($"create index concurrently if not exists {leaf}_{suffix} on {Schema}.{leaf} {definition}", connection)
                        { CommandTimeout = 0 };
                    try { await build.ExecuteNonQueryAsync(ct); }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { break; } // dropped meanwhile (expired)
                }
                sealedLeaves.Add(leaf);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({SealingLock})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return sealedLeaves;
    }

    /// <summary>Built when an hour closes; the full-text one last, so its presence says the leaf is sealed.</summary>
    private static readonly (string Suffix, string Definition)[] DeferredIndexes =
        [("service_map", "(service_map_id, ts)"), ("pod", "(pod, ts)"), ("text", $"using gin ({TextVector})")];

    private static async Task DropInvalidAsync(NpgsqlConnection connection, string leaf, CancellationToken ct)
    {
        var invalid = new List<string>();
        await using (var find = new NpgsqlCommand(
                         "select x.relname from pg_index i join pg_class x on x.oid = i.indexrelid join pg_class t on t.oid = i.indrelid " +
                         $"join pg_namespace n on n.oid = t.relnamespace where n.nspname = '{Schema}' and t.relname = $1 and not i.indisvalid", connection))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = leaf });
            await using var reader = await find.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) invalid.Add(reader.GetString(0));
        }
        foreach (var index in invalid)
        {
            await using var drop = new NpgsqlCommand($"drop index concurrently if exists {Schema}.{index}", connection) { CommandTimeout = 0 };
            await drop.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>When a leaf's time range ends: <c>logs_r7_20261202_13</c> at 14:00 that day; a day leaf of the earlier layout at midnight.</summary>
    private static DateTime? LeafEnd(string leaf)
    {
        if (leaf.Length > 12 && leaf[^3] == '_' && DateTime.TryParseExact(leaf[^11..], "yyyyMMdd_HH", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var hour))
            return hour.AddHours(1);
        return DayPartitions.TryParseSuffix(leaf, out var day) ? day.AddDays(1) : null;
    }

    /// <summary>
    /// A workspace whose retention was shortened (or first set below the default) has its stored lines follow: those
    /// already older than the new retention are deleted, the rest move to the shorter class's partitions (and expire with
    /// them). Done once per change, remembered in <c>log_retention_applied</c>; a lengthened retention needs nothing
    /// (stored lines keep the shorter one they were written with). Answers the lines deleted and moved.
    /// </summary>
    /// <remarks>
    /// The one place lines are deleted row by row: a shortening is a rare, explicit decision, and dropping partitions
    /// cannot remove one workspace's lines from partitions it shares with others. Lines are found by workspace_id
    /// without an index (one scan of the longer classes per change).
    /// </remarks>
    public async Task<(long Deleted, long Moved)> ApplyShortenedRetentionsAsync(DateTimeOffset now, CancellationToken ct)
    {
        retentions.Forget();
        var retentionOf = await retentions.CurrentAsync(ct);
        var applied = new Dictionary<Guid, int>();
        await using (var read = dataSource.CreateCommand($"select workspace_id, days from {Schema}.log_retention_applied"))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) applied[reader.GetGuid(0)] = reader.GetInt16(1);
        long deleted = 0, moved = 0;
        foreach (var workspace in retentions.Workspaces)
        {
            var days = retentionOf(workspace);
            var before = applied.GetValueOrDefault(workspace, LogRetention.DefaultDays);
            if (applied.ContainsKey(workspace) && before == days) continue;
            if (days < LogRetention.MaxDays)
            {
                var cutoff = now.AddDays(-days).ToUniversalTime();
                await using (var delete = dataSource.CreateCommand($"delete from {Table} where retention > $1 and workspace_id = $2 and ts < $3"))
                {
                    delete.CommandTimeout = 0;
                    delete.Parameters.Add(new NpgsqlParameter { Value = (short)days });
                    delete.Parameters.Add(new NpgsqlParameter { Value = workspace });
                    delete.Parameters.Add(new NpgsqlParameter { Value = cutoff });
                    deleted += await delete.ExecuteNonQueryAsync(ct);
                }
                var hours = new List<(int, DateTime)>();
                await using (var find = dataSource.CreateCommand(
                                 $"select distinct date_trunc('hour', ts, 'UTC') from {Table} where retention > $1 and workspace_id = $2"))
                {
                    find.CommandTimeout = 0;
                    find.Parameters.Add(new NpgsqlParameter { Value = (short)days });
                    find.Parameters.Add(new NpgsqlParameter { Value = workspace });
                    await using var reader = await find.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct)) hours.Add((days, Hour(reader.GetFieldValue<DateTimeOffset>(0).UtcDateTime)));
                }
                await EnsurePartitionsAsync(hours, force: true, ct);
                // An update of the partition key moves each row to the shorter class's partition; id and tx stay, so a tail
                // does not show them again.
                await using var move = dataSource.CreateCommand($"update {Table} set retention = $1 where retention > $1 and workspace_id = $2");
                move.CommandTimeout = 0;
                move.Parameters.Add(new NpgsqlParameter { Value = (short)days });
                move.Parameters.Add(new NpgsqlParameter { Value = workspace });
                moved += await move.ExecuteNonQueryAsync(ct);
            }
            await using var remember = dataSource.CreateCommand(
                $"insert into {Schema}.log_retention_applied (workspace_id, days, applied_at) values ($1, $2, $3) " +
                "on conflict (workspace_id) do update set days = excluded.days, applied_at = excluded.applied_at");
            remember.Parameters.Add(new NpgsqlParameter { Value = workspace });
            remember.Parameters.Add(new NpgsqlParameter { Value = (short)days });
            remember.Parameters.Add(new NpgsqlParameter { Value = now });
            await remember.ExecuteNonQueryAsync(ct);
        }
        return (deleted, moved);
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
    /// By arrival, not by the line's own time: a collector that ships late still shows in the tail. Arrival order is
    /// (tx, id), and only transactions below the horizon (the oldest still running) are read, so a batch that commits
    /// late (another writer, another replica) is returned after the cursor, never skipped behind it. Lines are looked for
    /// back to a quarter of an hour before the cursor's line, which bounds what is read; the BRIN on tx skips the rest.
    /// </summary>
    public async Task<IReadOnlyList<LogLine>> TailAsync(LogSearch search, LogVisibility visibility, string? after, int limit, CancellationToken ct)
    {
        const string horizon = "tx < txid_snapshot_xmin(txid_current_snapshot())";
        var sql = new Sql();
        if (after is null || !LogLineId.TryParse(after, out var cursor))
        {
            var newest = await ReadAsync(
                $"select {Columns} from {Table} where {Where(sql, search, visibility)} and {horizon} order by ts desc, id desc limit {limit}", sql, ct);
            newest.Reverse();
            return newest;
        }
        var from = cursor.Time - TimeSpan.FromMinutes(15);
        var where = Where(sql, search with { From = from, To = DateTimeOffset.MaxValue }, visibility);
        var at = $"coalesce((select c.tx from {Table} c where c.ts = {sql.P(cursor.Time)} and c.id = {sql.P(cursor.Number)}), 0)";
        return await ReadAsync(
            $"select {Columns} from {Table} where {where} and (tx, id) > ({at}, {sql.P(cursor.Number)}) and {horizon} order by tx, id limit {limit}", sql, ct);
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
