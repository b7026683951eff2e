using System.Diagnostics;
using System.Globalization;
using Cocktail.Application.Logs;
using Cocktail.Application.Logs.Tailing;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Benchmarks.Logs;

/// <summary>
/// Issue 15: the log store. Loads N lines spread over the last 24 hours through <see cref="ILogStore.AppendAsync"/> (the
/// receiver's path without HTTP), then times a workload + word search, the tail and the storage per line, each
/// beside what the bare database does with the same work in the same run.
/// </summary>
public static class LogsBenchmark
{
    public const string Usage = """
        logs options:
          --lines N             lines stored over the last 24 h before searching (20000000)
          --workloads N         distinct workloads, 3 pods each (200)
          --batch N             lines per append, as a receiver batches them (5000)
          --queries N           timed searches (40), --tails N timed tails (200)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private static readonly string[] Words =
    [
        "GET", "POST", "/api/orders", "/api/cart", "/healthz", "200", "201", "404", "500", "user", "order", "payment", "cart", "item", "request",
        "completed", "started", "in", "ms", "for", "id", "session", "cache", "hit", "miss", "db", "query", "rows", "returned", "connection",
        "pool", "acquired", "released", "retry", "attempt", "upstream", "latency", "bytes", "sent", "received", "handler", "worker", "job",
    ];

    public static async Task<int> RunAsync(Arguments args)
    {
        var lines = args.Int("lines", 20_000_000);
        var workloads = args.Int("workloads", 200);
        var batch = args.Int("batch", 5000);
        var queries = args.Int("queries", 40);
        var tails = args.Int("tails", 200);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Logs benchmark: {lines:N0} lines over 24 h, {workloads} workloads × 3 pods, batches of {batch}; {queries} searches, " +
                          $"{tails} tails; {Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var app = new CocktailApp().WithDatabase(database.ConnectionString).WithSetting("Cocktail:Inventory:Enabled", "false");
        await app.InitializeAsync();
        try
        {
            var store = app.Services.GetRequiredService<ILogStore>();
            var now = DateTimeOffset.UtcNow;
            var generator = new Synthetic(workloads, lines, now);

            // Ingest, and its ceiling: the same rows by a bare binary COPY into an unindexed, unpartitioned table.
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < lines; start += batch)
            {
                await store.AppendAsync(generator.Batch(start, Math.Min(batch, lines - start)), CancellationToken.None);
                if ((start / batch) % 200 == 199) Console.WriteLine($"    {start + batch:N0} lines, {(start + batch) / clock.Elapsed.TotalSeconds:N0}/s");
            }
            var ingest = lines / clock.Elapsed.TotalSeconds;
            var sample = Math.Min(lines, 1_000_000);
            var ceiling = await CopyCeilingAsync(database.ConnectionString, generator, sample, batch);
            Console.WriteLine($"  ingest through the store: {Ceilings.Throughput(ingest, ceiling, " lines/s")} (ceiling: bare binary COPY of {sample:N0} of the same rows, no index)");

            await using var bare = NpgsqlDataSource.Create(database.ConnectionString);
            await ExecuteAsync(bare, "analyze cocktail.logs");

            var (bytes, rows) = await StorageAsync(bare);
            Console.WriteLine($"  storage: {bytes / (double)rows:0} bytes per line ({bytes / 1024d / 1024:N0} MiB for {rows:N0} lines, table and indexes; " +
                              $"the bodies alone average {await AverageBodyAsync(bare):0} bytes)");

            // Search: a workload and a word over the last 24 h, newest first, a page of 100.
            var random = new Random(11);
            var through = new List<double>();
            var ceilingTimes = new List<double>();
            for (var i = 0; i < queries + 3; i++)
            {
                var workload = Synthetic.Workload(random.Next(workloads));
                var search = new LogSearch(now.AddHours(-24), now, "timeout", WorkloadName: workload);
                var started = Stopwatch.GetTimestamp();
                var page = await store.SearchAsync(search, LogVisibility.Everything, 100, null, CancellationToken.None);
                var t = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                var bareCount = await BareSearchAsync(bare, search);
                var b = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (bareCount != page.Items.Count) Console.WriteLine($"    (bare query found {bareCount} lines, the store {page.Items.Count})");
                if (i < 3) continue; // warm-up
                through.Add(t);
                ceilingTimes.Add(b);
            }
            Console.WriteLine($"  search, workload + word over 24 h, page of 100 (n = {queries}): p95 {Ceilings.Ms(Percentiles.Of(through, 95))} " +
                              $"vs {Ceilings.Ms(Percentiles.Of(ceilingTimes, 95))} bare SQL ({Percentiles.Of(through, 95) / Percentiles.Of(ceilingTimes, 95):0.0}×); " +
                              $"{Ceilings.Latency(through, ceilingTimes)}");

            // Tail: from the append call to a tail (waiting as the console does) seeing the line.
            var arrivals = app.Services.GetRequiredService<LogArrivals>();
            var tailTimes = new List<double>();
            var bareTail = new List<double>();
            var tailSearch = new LogSearch(now.AddMinutes(-15), DateTimeOffset.UtcNow.AddHours(1), WorkloadName: "tail-bench");
            string? cursor = null;
            for (var i = 0; i < tails; i++)
            {
                var line = generator.TailLine(i);
                var started = Stopwatch.GetTimestamp();
                var appended = store.AppendAsync([line], CancellationToken.None);
                while (true)
                {
                    var wait = arrivals.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
                    var seen = await store.TailAsync(tailSearch, LogVisibility.Everything, cursor, 100, CancellationToken.None);
                    if (seen.Count > 0)
                    {
                        cursor = seen[^1].Id;
                        break;
                    }
                    await wait;
                }
                tailTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await appended;
                started = Stopwatch.GetTimestamp();
                await BareInsertAsync(bare, line);
                bareTail.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            Console.WriteLine($"  tail, append to seen by a waiting tail (n = {tails}): p99 {Ceilings.Ms(Percentiles.Of(tailTimes, 99))} vs " +
                              $"{Ceilings.Ms(Percentiles.Of(bareTail, 99))} for a bare single-row insert and commit; {Ceilings.Latency(tailTimes, bareTail)}");

            await CompareTextIndexesAsync(bare, Math.Min(lines, 500_000));
        }
        finally
        {
            await app.DisposeAsync();
        }
        return 0;
    }

    private static async Task<double> CopyCeilingAsync(string connectionString, Synthetic generator, int count, int batch)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(data, """
            create table if not exists bench_logs_ceiling (ts timestamptz not null, id bigint, observed_at timestamptz not null, cluster_id uuid not null,
                workspace_id uuid, service_map_id uuid, retention smallint not null, severity smallint not null, truncated boolean not null,
                severity_text text, namespace text, pod text, container text, node text, workload_kind text, workload_name text, body text not null)
            """);
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < count; start += batch)
        {
            var lines = generator.Batch(start, Math.Min(batch, count - start));
            await using var connection = await data.OpenConnectionAsync();
            await using var copy = await connection.BeginBinaryImportAsync(
                "copy bench_logs_ceiling (ts, observed_at, cluster_id, workspace_id, service_map_id, retention, severity, truncated, severity_text, " +
                "namespace, pod, container, node, workload_kind, workload_name, body) from stdin (format binary)");
            foreach (var l in lines)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(l.Time, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(l.ObservedAt, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(l.ClusterId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(l.WorkspaceId!.Value, NpgsqlDbType.Uuid);
                await copy.WriteAsync(l.ServiceMapId!.Value, NpgsqlDbType.Uuid);
                await copy.WriteAsync((short)7, NpgsqlDbType.Smallint);
                await copy.WriteAsync((short)l.SeverityNumber, NpgsqlDbType.Smallint);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(l.SeverityText!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.Namespace!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.Pod!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.Container!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.Node!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.WorkloadKind!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.WorkloadName!, NpgsqlDbType.Text);
                await copy.WriteAsync(l.Body, NpgsqlDbType.Text);
            }
            await copy.CompleteAsync();
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(long Bytes, long Rows)> StorageAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand(
            "select (select sum(pg_total_relation_size(relid)) from pg_partition_tree('cocktail.logs') where isleaf), (select count(*) from cocktail.logs)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<long>(0), reader.GetInt64(1));
    }

    private static async Task<double> AverageBodyAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand("select avg(octet_length(body))::float8 from cocktail.logs");
        return (double)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The query the store sends for this search, by hand: the ceiling of a search.</summary>
    private static async Task<int> BareSearchAsync(NpgsqlDataSource data, LogSearch search)
    {
        await using var command = data.CreateCommand(
            "select ts, id, severity, severity_text, body, truncated, cluster_id, workspace_id, service_map_id, namespace, pod, container, node, " +
            "workload_kind, workload_name from cocktail.logs where ts >= $1 and ts <= $2 and workload_name = $3 " +
            "and to_tsvector('simple'::regconfig, body) @@ phraseto_tsquery('simple', $4) order by ts desc, id desc limit 101");
        command.Parameters.Add(new NpgsqlParameter { Value = search.From });
        command.Parameters.Add(new NpgsqlParameter { Value = search.To });
        command.Parameters.Add(new NpgsqlParameter { Value = search.WorkloadName! });
        command.Parameters.Add(new NpgsqlParameter { Value = search.Text! });
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows++;
        return Math.Min(rows, 100);
    }

    private static async Task BareInsertAsync(NpgsqlDataSource data, IncomingLogLine line)
    {
        await using var command = data.CreateCommand("insert into bench_logs_ceiling (ts, observed_at, cluster_id, retention, severity, truncated, body) " +
                                                     "values ($1, $1, $2, 7, 9, false, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = line.Time });
        command.Parameters.Add(new NpgsqlParameter { Value = line.ClusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = line.Body });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Why full-text rather than trigrams: both GIN indexes built over the same bodies, their size and build time.</summary>
    private static async Task CompareTextIndexesAsync(NpgsqlDataSource data, int sample)
    {
        await ExecuteAsync(data, $"drop table if exists bench_bodies; create table bench_bodies as select body from cocktail.logs limit {sample}");
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(data, "create index bench_bodies_fts on bench_bodies using gin (to_tsvector('simple'::regconfig, body))");
        var fts = clock.Elapsed;
        string trigram;
        try
        {
            await ExecuteAsync(data, "create extension if not exists pg_trgm");
            clock.Restart();
            await ExecuteAsync(data, "create index bench_bodies_trgm on bench_bodies using gin (body gin_trgm_ops)");
            trigram = $"trigram GIN {await IndexMibAsync(data, "bench_bodies_trgm")} in {clock.Elapsed.TotalSeconds:0.0} s";
        }
        catch (PostgresException e)
        {
            trigram = $"trigram GIN not available ({e.MessageText})";
        }
        Console.WriteLine($"  text indexes over {sample:N0} bodies: full-text GIN {await IndexMibAsync(data, "bench_bodies_fts")} in {fts.TotalSeconds:0.0} s; {trigram}");
        await ExecuteAsync(data, "drop table bench_bodies");
    }

    private static async Task<string> IndexMibAsync(NpgsqlDataSource data, string index)
    {
        await using var command = data.CreateCommand($"select pg_relation_size('{index}')");
        return ((long)(await command.ExecuteScalarAsync())! / 1024d / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
    }

    private static async Task ExecuteAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Lines like a web service's: a request, its path, status and timing, ids; "timeout" in about one line in fifty.</summary>
    private sealed class Synthetic(int workloads, int total, DateTimeOffset now)
    {
        private readonly Guid _cluster = Guid.NewGuid();
        private readonly Guid[] _workspaces = [.. Enumerable.Range(0, 10).Select(_ => Guid.NewGuid())];
        private readonly Guid[] _maps = [.. Enumerable.Range(0, workloads).Select(_ => Guid.NewGuid())];
        private readonly TimeSpan _step = TimeSpan.FromTicks(TimeSpan.FromHours(24).Ticks / Math.Max(1, total));

        public static string Workload(int i) => $"service-{i:000}";

        public List<IncomingLogLine> Batch(int start, int count)
        {
            var lines = new List<IncomingLogLine>(count);
            for (var i = start; i < start + count; i++) lines.Add(Line(i, now.AddHours(-24) + _step * i));
            return lines;
        }

        public IncomingLogLine TailLine(int i)
        {
            var line = Line(i, DateTimeOffset.UtcNow);
            return line with { WorkloadName = "tail-bench", Body = $"tail line {i}" };
        }

        private IncomingLogLine Line(int i, DateTimeOffset time)
        {
            var random = new Random(i);
            var w = random.Next(workloads);
            var body = new System.Text.StringBuilder(120);
            body.Append(time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ');
            var words = 8 + random.Next(12);
            for (var k = 0; k < words; k++) body.Append(Words[random.Next(Words.Length)]).Append(' ');
            if (random.Next(50) == 0) body.Append("timeout calling upstream ");
            body.Append("trace=").Append(random.NextInt64().ToString("x16", CultureInfo.InvariantCulture));
            var severity = random.Next(100) switch { < 80 => 9, < 95 => 13, _ => 17 };
            return new IncomingLogLine(time, time, severity, severity switch { 9 => "INFO", 13 => "WARN", _ => "ERROR" }, body.ToString(), false, _cluster,
                _workspaces[w % _workspaces.Length], _maps[w], $"ns-{w % 50}", $"{Workload(w)}-{random.Next(3)}", "app", $"node-{w % 5}", "Deployment",
                Workload(w));
        }
    }
}
