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
            var kinds = new (string Name, Func<string> Query)[]
            {
                ("user, last 1 h", () => $"window=1h&user={Uri.EscapeDataString(SyntheticAudit.UserName(random.Next(users)))}"),
                ("user, last 24 h", () => $"window=24h&user={Uri.EscapeDataString(SyntheticAudit.UserName(random.Next(users)))}"),
                ("user, a past day", () => $"{PastDay(random, days, now)}&user={Uri.EscapeDataString(SyntheticAudit.UserName(random.Next(users)))}"),
                ("verb + resource, last 1 h", () => $"window=1h&verb=delete&resource={SyntheticAudit.Resources[random.Next(SyntheticAudit.Resources.Length)]}"),
                ("verb + resource, last 24 h", () => $"window=24h&verb=delete&resource={SyntheticAudit.Resources[random.Next(SyntheticAudit.Resources.Length)]}"),
                ("namespace, last 1 h", () => $"window=1h&namespace={SyntheticAudit.Namespace(random.Next(namespaces))}"),
                ("namespace, last 24 h", () => $"window=24h&namespace={SyntheticAudit.Namespace(random.Next(namespaces))}"),
                ("namespace + code 403, last 24 h", () => $"window=24h&namespace={SyntheticAudit.Namespace(random.Next(namespaces))}&code=403"),
                ("no filter, last 24 h", () => "window=24h"),
            };
            var all = new List<double>();
            foreach (var (name, query) in kinds)
            {
                for (var i = 0; i < 3; i++) await SearchAsync(admin, clusterId, query(), limit); // warm-up
                var times = new List<double>();
                var rows = 0L;
                for (var i = 0; i < queries; i++)
                {
                    var (ms, count) = await SearchAsync(admin, clusterId, query(), limit);
                    times.Add(ms);
                    rows += count;
                }
                all.AddRange(times);
                Console.WriteLine($"  {name,-32} p50 {Percentiles.Of(times, 50),5:0} ms, p95 {Percentiles.Of(times, 95),5:0} ms, max {times.Max(),5:0} ms " +
                                  $"({rows / queries} rows per page on average)");
            }
            Console.WriteLine($"  every search:                    p50 {Percentiles.Of(all, 50):0} ms, p95 {Percentiles.Of(all, 95):0} ms, p99 {Percentiles.Of(all, 99):0} ms (n = {all.Count})");
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

    private static string PastDay(Random random, int days, DateTimeOffset now)
    {
        var from = now.AddDays(-random.Next(2, Math.Max(3, days)));
        return $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddDays(1).ToString("O"))}";
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
