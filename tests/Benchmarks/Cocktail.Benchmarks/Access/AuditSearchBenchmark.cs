using System.Diagnostics;
using System.Text.Json.Nodes;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Infrastructure.KubernetesAudit;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// Issue 6: how long a filtered Kubernetes audit search takes over millions of stored records. Loads them through
/// the store's bulk insert (the ingest endpoint's path without HTTP), spread over several days, users, namespaces,
/// verbs and resources, then times the searches the console makes, through the HTTP API.
/// </summary>
public static class AuditSearchBenchmark
{
    public const string Usage = """
        audit-search options:
          --records N           audit records stored before searching (5000000)
          --days N              spread over the last N days (5)
          --users N / --namespaces N   distinct accounts and namespaces (200 / 50)
          --queries N           timed searches of each kind (40), --limit N rows per page (500)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private const int LoadBatch = 5000;

    public static async Task<int> RunAsync(Arguments args)
    {
        var records = args.Int("records", 5_000_000);
        var days = args.Int("days", 5);
        var users = args.Int("users", 200);
        var namespaces = args.Int("namespaces", 50);
        var queries = args.Int("queries", 40);
        var limit = args.Int("limit", 500);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Audit search benchmark: {records:N0} records over {days} days, {users} accounts, {namespaces} namespaces; {queries} searches " +
                          $"of each kind, {limit} rows per page; {Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "search", Nodes = 1, SeedPods = 0 });
        var app = new CocktailApp().WithDatabase(database.ConnectionString);
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(5);
            var clusterId = Guid.Parse(await BenchApi.RegisterClusterAsync(admin, sim));

            var now = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await LoadAsync(app.Services.GetRequiredService<KubernetesAuditStore>(), clusterId, records, days, users, namespaces, now);
            Console.WriteLine($"  loaded {records:N0} records through the store's bulk insert in {clock.Elapsed.TotalSeconds:0} s " +
                              $"({records / clock.Elapsed.TotalSeconds:N0} per second); table and indexes {await SizeAsync(database.ConnectionString)}");
            clock.Restart();
            await AnalyzeAsync(database.ConnectionString);
            Console.WriteLine($"  analyze (as autovacuum would do after such a load): {clock.Elapsed.TotalSeconds:0.0} s");

            var random = new Random(7);
            string User() => SyntheticAudit.UserName(random.Next(users));
            string Resource() => SyntheticAudit.Resources[random.Next(SyntheticAudit.Resources.Length)];
            string Namespace() => SyntheticAudit.Namespace(random.Next(namespaces));
            var kinds = new (string Name, Func<Search> Query)[]
            {
                ("user, last 1 h", () => Search.Last(1, now) with { User = User() }),
                ("user, last 24 h", () => Search.Last(24, now) with { User = User() }),
                ("user, a past day", () => PastDay(random, days, now) with { User = User() }),
                ("verb + resource, last 1 h", () => Search.Last(1, now) with { Verb = "delete", Resource = Resource() }),
                ("verb + resource, last 24 h", () => Search.Last(24, now) with { Verb = "delete", Resource = Resource() }),
                ("namespace, last 1 h", () => Search.Last(1, now) with { Namespace = Namespace() }),
                ("namespace, last 24 h", () => Search.Last(24, now) with { Namespace = Namespace() }),
                ("namespace + code 403, last 24 h", () => Search.Last(24, now) with { Namespace = Namespace(), Code = 403 }),
                ("no filter, last 24 h", () => Search.Last(24, now)),
            };
            await using var bare = NpgsqlDataSource.Create(database.ConnectionString);
            var all = new List<double>();
            var allBare = new List<double>();
            Console.WriteLine($"  {"",-32} through the API                 | bare query (ceiling)  | API / bare");
            foreach (var (name, query) in kinds)
            {
                var searches = Enumerable.Range(0, queries + 3).Select(_ => query()).ToList(); // the first 3: warm-up
                var times = new List<double>();
                var bareTimes = new List<double>();
                var rows = 0L;
                for (var i = 0; i < searches.Count; i++)
                {
                    var (ms, count) = await SearchAsync(admin, clusterId, searches[i].ToQuery(), limit);
                    var bareMs = await BareSearchAsync(bare, clusterId, searches[i], limit);
                    if (i < 3) continue;
                    times.Add(ms);
                    bareTimes.Add(bareMs);
                    rows += count;
                }
                all.AddRange(times);
                allBare.AddRange(bareTimes);
                Console.WriteLine($"  {name,-32} p50 {Percentiles.Of(times, 50),5:0} ms, p95 {Percentiles.Of(times, 95),5:0} ms, max {times.Max(),5:0} ms " +
                                  $"| p50 {Percentiles.Of(bareTimes, 50),5:0} ms, p95 {Percentiles.Of(bareTimes, 95),5:0} ms " +
                                  $"| {Percentiles.Of(times, 50) / Percentiles.Of(bareTimes, 50),4:0.0}× ({rows / queries} rows per page on average)");
            }
            Console.WriteLine($"  every search:                    p50 {Percentiles.Of(all, 50):0} ms, p95 {Percentiles.Of(all, 95):0} ms, p99 {Percentiles.Of(all, 99):0} ms (n = {all.Count})");
            Console.WriteLine($"  vs the bare query (ceiling):     {Ceilings.Latency(all, allBare)}");
            return 0;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Time-ordered, as events arrive; two loaders at once, each a contiguous stretch of time.</summary>
    private static async Task LoadAsync(KubernetesAuditStore store, Guid clusterId, int records, int days, int users, int namespaces, DateTimeOffset now)
    {
        var start = now.AddDays(-days);
        for (var day = 0; day <= days; day++) await store.EnsurePartitionsAsync(start.AddDays(day), default);
        var step = TimeSpan.FromDays(days).Ticks / (double)records;
        var batches = (records + LoadBatch - 1) / LoadBatch;
        var done = 0;
        var report = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Partition(batches, 2), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (range, ct) =>
        {
            var audit = new SyntheticAudit(range.From, users, namespaces);
            for (var b = range.From; b < range.To; b++)
            {
                var events = new List<ParsedAuditEvent>(LoadBatch);
                for (var i = b * LoadBatch; i < Math.Min(records, (b + 1) * LoadBatch); i++)
                    events.Add(audit.Parsed(clusterId, start.AddTicks((long)(i * step))));
                await store.IngestAsync(clusterId, events, ct);
                var total = Interlocked.Increment(ref done);
                if (total % 100 == 0) Console.WriteLine($"    {Math.Min(records, total * LoadBatch):N0} loaded after {report.Elapsed.TotalSeconds:0} s");
            }
        });
    }

    private static IEnumerable<(int From, int To)> Partition(int count, int parts) =>
        Enumerable.Range(0, parts).Select(p => (count * p / parts, count * (p + 1) / parts));

    private static Search PastDay(Random random, int days, DateTimeOffset now)
    {
        var from = now.AddDays(-random.Next(2, Math.Max(3, days)));
        return new Search(null, from, from.AddDays(1));
    }

    /// <summary>One search: a window ending now (as the console asks) or a from/to range, and the filters.</summary>
    private sealed record Search(int? WindowHours, DateTimeOffset From, DateTimeOffset To)
    {
        public string? User { get; init; }
        public string? Verb { get; init; }
        public string? Resource { get; init; }
        public string? Namespace { get; init; }
        public int? Code { get; init; }

        public static Search Last(int hours, DateTimeOffset now) => new(hours, now.AddHours(-hours), now);

        public string ToQuery()
        {
            var parts = new List<string> { WindowHours is { } h ? $"window={h}h" : $"from={Uri.EscapeDataString(From.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}" };
            if (User is not null) parts.Add($"user={Uri.EscapeDataString(User)}");
            if (Verb is not null) parts.Add($"verb={Verb}");
            if (Resource is not null) parts.Add($"resource={Resource}");
            if (Namespace is not null) parts.Add($"namespace={Namespace}");
            if (Code is not null) parts.Add($"code={Code}");
            return string.Join("&", parts);
        }
    }

    /// <summary>
    /// The ceiling for a search: the same rows (same columns, filters, order and page size) read straight from the
    /// same PostgreSQL, without the API, authorization, mapping or JSON; a window ends now, as the API's does. Each bare
    /// query runs right after its API twin, so both see the same cache and the same load.
    /// </summary>
    private static async Task<double> BareSearchAsync(NpgsqlDataSource db, Guid clusterId, Search search, int limit)
    {
        var clock = Stopwatch.StartNew();
        await using var command = db.CreateCommand();
        var clauses = new List<string> { "cluster_id = $1", "ts >= $2", "ts <= $3" };
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        var (from, to) = search.WindowHours is { } hours ? (DateTimeOffset.UtcNow.AddHours(-hours), DateTimeOffset.UtcNow) : (search.From, search.To);
        command.Parameters.Add(new NpgsqlParameter { Value = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = to.ToUniversalTime() });
        void Filter(string column, object? value)
        {
            if (value is null) return;
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            clauses.Add($"{column} = ${command.Parameters.Count}");
        }
        Filter("username", search.User);
        Filter("verb", search.Verb);
        Filter("resource", search.Resource);
        Filter("namespace", search.Namespace);
        Filter("code", search.Code);
        command.CommandText = $"""
            select cluster_id, audit_id, stage, ts, stage_ts, verb, username, groups::text[], impersonated, source_ips::text[], user_agent,
                   resource, subresource, namespace, name, api_group, api_version, request_uri, code, level, grant_id, cocktail_user
            from cocktail.k8s_audit where {string.Join(" and ", clauses)} order by ts desc, audit_id desc limit {limit + 1}
            """;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new object[22];
        while (await reader.ReadAsync()) reader.GetValues(values);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<(double Millis, int Rows)> SearchAsync(HttpClient admin, Guid clusterId, string query, int limit)
    {
        var clock = Stopwatch.StartNew();
        using var response = await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?{query}&limit={limit}");
        var text = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Search {query}: {(int)response.StatusCode} {text}");
        return (elapsed, JsonNode.Parse(text)!["items"]!.AsArray().Count);
    }

    private static async Task AnalyzeAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand("analyze cocktail.k8s_audit");
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> SizeAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand(
            "select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) from pg_inherits i join pg_class p on p.oid = i.inhparent " +
            "join pg_namespace n on n.oid = p.relnamespace where n.nspname = 'cocktail' and p.relname = 'k8s_audit'");
        var bytes = (long)(decimal)(await command.ExecuteScalarAsync())!;
        return $"{bytes / 1024d / 1024 / 1024:0.0} GiB";
    }
}
