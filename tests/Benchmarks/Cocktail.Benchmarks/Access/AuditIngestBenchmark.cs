using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Infrastructure.KubernetesAudit;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// Issue 6: Kubernetes audit events posted to the real ingest endpoint over HTTP, in batches of 400 (a
/// kube-apiserver's default), by several senders at once as several API servers would; prints the sustained
/// events per second stored in PostgreSQL and how long a batch takes to be acknowledged.
/// </summary>
public static class AuditIngestBenchmark
{
    public const string Usage = """
        audit-ingest options:
          --senders N           concurrent senders, like API servers, each with its own connection (8)
          --clusters N          clusters they send for, each with its own webhook secret (4)
          --batch N             events per batch (400)
          --seconds N           measured time (30), after --warmup-seconds N (5)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
          --stages              also measure, one batch at a time, the CPU that parsing and storing a batch take alone
          --ceiling-seconds N   the COPY ceiling is measured for N s before and N s after the ingest (10)
          --rate N              events/s offered by the paced phase, which reports the acknowledgement time at that rate
                                (default: half the ceiling measured in the same run); --paced-seconds N (15), 0 skips it
        """;

    private sealed record Target(string Path);

    private sealed class Tally
    {
        public readonly List<double> AckMillis = [];
        public long Events;
        public long Stored;
        public double GenerateMillis;
    }

    public static async Task<int> RunAsync(Arguments args)
    {
        var senders = args.Int("senders", 8);
        var clusters = args.Int("clusters", 4);
        var batch = args.Int("batch", 400);
        var seconds = args.Int("seconds", 30);
        var warmUp = args.Int("warmup-seconds", 5);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Audit ingest benchmark: {senders} senders × batches of {batch} events (~1 KB each) over HTTP to {clusters} clusters' ingest " +
                          $"endpoints for {seconds} s after {warmUp} s of warm-up; {Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; " +
                          $".NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var fleet = await KubeSimFleet.StartAsync(clusters, i => new KubeSimOptions { Name = $"audit-{i + 1:D2}", Nodes = 1, SeedPods = 0 }, parallelism: 4);
        var app = new CocktailApp().WithDatabase(database.ConnectionString);
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            var targets = new List<Target>();
            foreach (var cluster in fleet.Clusters) targets.Add(await WebhookAsync(admin, cluster));

            if (args.Flag("stages")) await StagesAsync(app, database.ConnectionString, batch);
            await using var ceiling = await CopyCeiling.CreateAsync(database.ConnectionString);
            var ceilingBatches = CopyCeiling.Batches(50, batch, Guid.CreateVersion7());
            var ceilingTime = TimeSpan.FromSeconds(args.Int("ceiling-seconds", 10));
            await RunPhaseAsync(app, targets, senders, batch, TimeSpan.FromSeconds(warmUp));
            await ceiling.RowsPerSecondAsync(ceilingBatches, senders, TimeSpan.FromSeconds(Math.Min(warmUp, 3)));
            Console.WriteLine($"  load average before:    {LoadAverage()}");
            var ceilingBefore = await ceiling.RowsPerSecondAsync(ceilingBatches, senders, ceilingTime);
            var meter = await CpuMeter.ForAsync(database.ConnectionString);
            var before = meter.Read();
            var cpu = new MachineCpu();
            var clock = Stopwatch.StartNew();
            var tallies = await RunPhaseAsync(app, targets, senders, batch, TimeSpan.FromSeconds(seconds));
            var elapsed = clock.Elapsed.TotalSeconds;
            var busy = cpu.BusyPercentSinceLast();
            var after = meter.Read();
            var ceilingAfter = await ceiling.RowsPerSecondAsync(ceilingBatches, senders, ceilingTime);
            var ceilingRate = (ceilingBefore + ceilingAfter) / 2;

            var events = tallies.Sum(t => t.Events);
            var stored = tallies.Sum(t => t.Stored);
            var acks = tallies.SelectMany(t => t.AckMillis).ToList();
            var rows = await CountRowsAsync(database.ConnectionString);
            Console.WriteLine($"  sent and acknowledged:  {events:N0} events in {acks.Count:N0} batches in {elapsed:0.0} s");
            Console.WriteLine($"  sustained:              {stored / elapsed:N0} events/s stored ({stored:N0} new rows; {rows:N0} in the table with the warm-up)");
            Console.WriteLine($"  batch acknowledged in:  {Percentiles.Summary(acks)}");
            Console.WriteLine($"  COPY ceiling:           {ceilingRate:N0} rows/s (binary COPY of the same rows, batches and writers into the same " +
                              $"table shape on the same PostgreSQL; {ceilingBefore:N0} before the ingest, {ceilingAfter:N0} after)");
            Console.WriteLine($"  ingest / ceiling:       {stored / elapsed / ceilingRate * 100:0} %");
            Console.WriteLine($"  machine CPU busy:       {busy:0} % (Cocktail, PostgreSQL and this load generator, which spent " +
                              $"{tallies.Sum(t => t.GenerateMillis) / 1000 / elapsed * 100:0} % of one core writing the batches)");
            var generator = tallies.Sum(t => t.GenerateMillis);
            var cocktail = (after.Self - before.Self).TotalMilliseconds - generator;
            var postgres = (after.Postgres - before.Postgres)?.TotalMilliseconds;
            Console.WriteLine($"  CPU per 1,000 events:   this process {cocktail * 1000 / stored:0} ms (Cocktail's ingest, KubeSim idle, the HTTP client; " +
                              $"without the batch writing), PostgreSQL {(postgres is { } pg ? $"{pg * 1000 / stored:0} ms" : "not measured")}");
            if (postgres is { } total)
                Console.WriteLine($"  so {Environment.ProcessorCount} cores to themselves would sustain about " +
                                  $"{Environment.ProcessorCount * 1000d * stored / (cocktail + total):N0} events/s (the machine's other load set aside)");
            var pacedSeconds = args.Int("paced-seconds", 15);
            if (pacedSeconds > 0)
            {
                var rate = args.Int("rate", (int)(ceilingRate / 2));
                var paced = await RunPacedAsync(app, targets, senders, batch, rate, TimeSpan.FromSeconds(pacedSeconds));
                var pacedAcks = paced.SelectMany(t => t.AckMillis).ToList();
                Console.WriteLine($"  paced at {rate:N0} events/s ({rate / ceilingRate * 100:0} % of the ceiling): {paced.Sum(t => t.Stored) / (double)pacedSeconds:N0} " +
                                  $"events/s stored, batch acknowledged in {Percentiles.Summary(pacedAcks)} (from when it was due)");
            }
            Console.WriteLine($"  load average after:     {LoadAverage()}");
            return stored == events ? 0 : 1;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Where Cocktail's own CPU goes: the parse of a batch, its enrichment and its COPY, each alone and in sequence.</summary>
    private static async Task StagesAsync(CocktailApp app, string connectionString, int batch)
    {
        var store = app.Services.GetRequiredService<IKubernetesAuditStore>();
        var directory = app.Services.GetRequiredService<GrantDirectory>();
        var meter = await CpuMeter.ForAsync(connectionString);
        var audit = new SyntheticAudit(seed: 3);
        var bodies = Enumerable.Range(0, 250).Select(_ => audit.EventList(batch, DateTimeOffset.UtcNow)).ToList();
        var count = (double)bodies.Count * batch / 1000;
        // Three rounds, the last one counted: the first ones run the code before the JIT has optimised it. Nothing is
        // kept from one batch to the next, as in the endpoint.
        for (var round = 1; round <= 3; round++)
        {
            var before = meter.Read();
            foreach (var body in bodies) AuditEventListParser.Parse(Guid.Empty, body);
            var parsed = meter.Read();
            foreach (var body in bodies)
            {
                var clusterId = Guid.CreateVersion7();
                await store.IngestAsync(clusterId, await directory.EnrichAsync(clusterId, AuditEventListParser.Parse(clusterId, body).Events, default), default);
            }
            var stored = meter.Read();
            if (round < 3) continue;
            var parse = (parsed.Self - before.Self).TotalMilliseconds;
            Console.WriteLine($"  one batch at a time, CPU per 1,000 events: parse {parse / count:0.0} ms, enrich and COPY " +
                              $"{((stored.Self - parsed.Self).TotalMilliseconds - parse) / count:0.0} ms in Cocktail; " +
                              $"{(stored.Postgres - parsed.Postgres)?.TotalMilliseconds / count:0.0} ms in PostgreSQL");
        }
    }

    private static async Task<Target> WebhookAsync(HttpClient admin, KubeSimCluster cluster)
    {
        var clusterId = await BenchApi.RegisterClusterAsync(admin, cluster);
        var created = await admin.PostAsync($"/api/v1/clusters/{clusterId}/audit-webhook/rotate", null);
        var webhook = JsonNode.Parse(await created.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        // As an API server sends over http: to the kubeconfig's server URL, whose last segment is the secret, with no token.
        var server = ((string)webhook["kubeconfig"]!).Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("server:"))["server:".Length..].Trim();
        return new Target(new Uri(server).AbsolutePath);
    }

    private static async Task<Tally[]> RunPhaseAsync(CocktailApp app, IReadOnlyList<Target> targets, int senders, int batch, TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return await Task.WhenAll(Enumerable.Range(0, senders).Select(i => Task.Run(() =>
            SendAsync(app, targets[i % targets.Count], new SyntheticAudit(seed: Environment.TickCount + i), batch, until))));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    /// <summary>
    /// Batches offered at a fixed rate, as API servers send them when their buffers fill, whatever Cocktail's speed; each
    /// acknowledgement is timed from when its batch was due, so a server that falls behind shows it in the figure.
    /// </summary>
    private static async Task<Tally[]> RunPacedAsync(CocktailApp app, IReadOnlyList<Target> targets, int senders, int batch, int rate, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds((double)senders * batch / Math.Max(rate, 1));
        var start = Stopwatch.GetTimestamp();
        var until = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return await Task.WhenAll(Enumerable.Range(0, senders).Select(i => Task.Run(async () =>
        {
            var tally = new Tally();
            var audit = new SyntheticAudit(seed: Environment.TickCount + i);
            using var client = app.Anonymous();
            for (var k = 0; ; k++)
            {
                var due = start + (long)((k + (double)i / senders) * interval.TotalSeconds * Stopwatch.Frequency);
                if (due >= until) break;
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                var (stored, _) = await PostAsync(client, targets[i % targets.Count], audit.EventList(batch, DateTimeOffset.UtcNow));
                tally.AckMillis.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                tally.Events += batch;
                tally.Stored += stored;
            }
            return tally;
        })));
    }

    private static async Task<(long Stored, string Answer)> PostAsync(HttpClient client, Target target, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(target.Path, content);
        var answer = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Ingest answered {(int)response.StatusCode}: {answer}");
        return ((long?)JsonNode.Parse(answer)!["stored"] ?? 0, answer);
    }

    /// <summary>One API server's webhook backend: a batch, wait for the answer, the next batch.</summary>
    private static async Task<Tally> SendAsync(CocktailApp app, Target target, SyntheticAudit audit, int batch, long until)
    {
        var tally = new Tally();
        using var client = app.Anonymous();
        while (Stopwatch.GetTimestamp() < until)
        {
            var generating = Stopwatch.GetTimestamp();
            var body = audit.EventList(batch, DateTimeOffset.UtcNow);
            var sent = Stopwatch.GetTimestamp();
            tally.GenerateMillis += Stopwatch.GetElapsedTime(generating, sent).TotalMilliseconds;
            var (stored, _) = await PostAsync(client, target, body);
            tally.AckMillis.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            tally.Events += batch;
            tally.Stored += stored;
        }
        return tally;
    }

    private static async Task<long> CountRowsAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand("select count(*) from cocktail.k8s_audit");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
