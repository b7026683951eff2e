using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cocktail.Application.Charts.Browsing;
using Cocktail.Testing;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cocktail.Benchmarks.Charts;

/// <summary>
/// Issue 20: catalog search p95 over N chart versions. A chart repository serves an index of C charts × V versions
/// (written as <c>helm repo index</c> does); a platform admin adds it through the API (index read and stored), then a
/// workspace member searches by word through the HTTP API. The ceiling is the same search's SQL (the statement
/// Marten generates for it, taken with <c>ToCommand</c>) run bare on the same rows through Npgsql.
/// </summary>
public static class CatalogBenchmark
{
    public const string Usage = """
        catalog options:
          --charts N            charts in the repository (500)
          --versions N          versions of each chart (10): 5,000 chart versions by default
          --queries N           timed searches (200), each a word of the descriptions or keywords, or a chart name prefix
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private static readonly string[] Words =
    [
        "monitoring", "database", "cache", "ingress", "logging", "security", "storage", "messaging", "backup", "network",
        "metrics", "tracing", "proxy", "queue", "search", "gateway", "certificates", "secrets", "dns", "gpu",
    ];

    public static async Task<int> RunAsync(Arguments args)
    {
        var charts = args.Int("charts", 500);
        var versions = args.Int("versions", 10);
        var queries = args.Int("queries", 200);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Catalog benchmark: {charts} charts × {versions} versions = {charts * versions:N0} chart versions; {queries} searches; " +
                          $"{Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var repository = await IndexServer.StartAsync(Index(charts, versions));
        var app = new CocktailApp().WithDatabase(database.ConnectionString)
            .WithSetting("Cocktail:ImageScanning:Enabled", "false")
            .WithSetting("Cocktail:ChartRepositories:RefreshEnabled", "false");
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(5);
            var workspace = await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = "catalog" });
            var workspaceId = (string)workspace["id"]!;
            var member = await app.CreateUserAsync();
            (await admin.PostAsJsonAsync($"/api/v1/workspaces/{workspaceId}/members", new { userId = member.Id, role = "Developer" })).EnsureSuccessStatusCode();

            var clock = Stopwatch.StartNew();
            var added = await BenchApi.PostAsync(admin, "/api/v1/chart-repositories", new { name = "bench", kind = "Http", url = repository.Url, allWorkspaces = true });
            Console.WriteLine($"  repository added (index fetched, parsed, {added["refresh"]?["versions"]} versions stored) in {clock.Elapsed.TotalSeconds:0.0} s");
            var repositoryId = Guid.Parse((string)added["id"]!);

            var random = new Random(20);
            var terms = Enumerable.Range(0, queries + 10).Select(i => i % 4 == 3 ? $"chart-{random.Next(charts):D4}"[..9] : Words[random.Next(Words.Length)]).ToList();
            var store = app.Services.GetRequiredService<IDocumentStore>();
            await using var bare = NpgsqlDataSource.Create(database.ConnectionString);
            var api = new List<double>();
            var sql = new List<double>();
            var rows = 0L;
            for (var i = 0; i < terms.Count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var response = await member.Client.GetAsync($"/api/v1/workspaces/{workspaceId}/charts?q={Uri.EscapeDataString(terms[i])}&page=1&pageSize=20");
                var body = await response.Content.ReadAsStringAsync();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {body}");
                var bareMs = await BareAsync(store, bare, repositoryId, terms[i]);
                if (i < 10) continue; // warm-up
                api.Add(ms);
                sql.Add(bareMs.Ms);
                rows += bareMs.Rows;
            }
            Console.WriteLine($"  search through the API:          {Percentiles.Summary(api)}; p95 {Percentiles.Of(api, 95):0.0} ms ({rows / Math.Max(1, api.Count)} rows per page on average)");
            Console.WriteLine($"  the same SQL bare (ceiling):      {Ceilings.Describe(sql)}; p95 {Percentiles.Of(sql, 95):0.0} ms");
            Console.WriteLine($"  search p95 {Percentiles.Of(api, 95):0.0} ms vs {Percentiles.Of(sql, 95):0.0} ms bare ({Percentiles.Of(api, 95) / Percentiles.Of(sql, 95):0.0}×); {Ceilings.Latency(api, sql)}");
            return 0;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>The statement Marten runs for the API's search (visible repositories, the word, order, first page of 20, with the total), run bare.</summary>
    private static async Task<(double Ms, int Rows)> BareAsync(IDocumentStore store, NpgsqlDataSource bare, Guid repositoryId, string term)
    {
        await using var session = store.QuerySession();
        var query = ChartCatalogAccess.SearchQuery(session, [repositoryId], term).Stats(out _).Skip(0).Take(20);
        var command = query.ToCommand(FetchType.FetchMany);
        await using var connection = await bare.OpenConnectionAsync();
        await using var run = new NpgsqlCommand(command.CommandText, connection);
        foreach (NpgsqlParameter p in command.Parameters) run.Parameters.Add(p.Clone());
        var started = Stopwatch.GetTimestamp();
        var rows = 0;
        await using (var reader = await run.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows++;
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, rows);
    }

    /// <summary>An index as `helm repo index` writes it: charts with descriptions and keywords drawn from a small vocabulary.</summary>
    private static string Index(int charts, int versions)
    {
        var random = new Random(7);
        var yaml = new StringBuilder("apiVersion: v1\nentries:\n");
        for (var c = 0; c < charts; c++)
        {
            var name = $"chart-{c:D4}";
            var words = Enumerable.Range(0, 3).Select(_ => Words[random.Next(Words.Length)]).Distinct().ToList();
            yaml.Append(CultureInfo($"  {name}:\n"));
            for (var v = versions - 1; v >= 0; v--)
            {
                var version = $"{1 + v / 5}.{v % 5}.{random.Next(10)}";
                yaml.Append(CultureInfo($"""
                      - apiVersion: v2
                        name: {name}
                        version: {version}
                        appVersion: "{v}.0"
                        description: A chart for {string.Join(" and ", words)} on Kubernetes
                        keywords: [{string.Join(", ", words)}]
                        created: "2026-01-01T00:00:00.000000000Z"
                        digest: {new string('a', 64)}
                        urls: [charts/{name}-{version}.tgz]

                    """));
            }
        }
        return yaml.Append("generated: \"2026-01-01T00:00:00Z\"\n").ToString();
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);

    private sealed class IndexServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private IndexServer(WebApplication app, string url) => (_app, Url) = (app, url);
        public string Url { get; }

        public static async Task<IndexServer> StartAsync(string index)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var bytes = Encoding.UTF8.GetBytes(index);
            app.MapGet("/index.yaml", () => Results.Bytes(bytes, "text/yaml"));
            await app.StartAsync();
            var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            return new IndexServer(app, $"http://127.0.0.1:{port}");
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
