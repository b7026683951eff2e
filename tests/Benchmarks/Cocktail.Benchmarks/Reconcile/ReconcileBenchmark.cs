using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Runtime;

namespace Cocktail.Benchmarks.Reconcile;

/// <summary>
/// Issue 5: how long a service map takes from the API call to Ready (its namespace, quota, limits, bindings and
/// network policy applied on a simulated cluster and the verdict recorded), one at a time; and how long a burst of
/// service maps over many clusters takes until every one is Ready.
/// </summary>
public static class ReconcileBenchmark
{
    public const string Usage = """
        reconcile options:
          --sequential N        service maps created one after the other on one cluster, each timed to Ready (50)
          --clusters N          clusters for the burst (20)
          --per-cluster N       service maps per cluster in the burst (10)
          --api-parallelism N   create requests in flight during the burst (16)
          --latency-ms N        added by every simulated API server to every request, as a remote cluster's round trip (0)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
          --timeout-minutes N   give up waiting for Ready after this long (10)
        """;

    private static readonly object WorkspaceQuota = new { cpu = "1000", memory = "4000Gi", gpu = "100", storage = "10000Gi", pods = "10000" };
    private static readonly object ServiceMapQuota = new { cpu = "1", memory = "2Gi", gpu = "0", storage = "10Gi", pods = "10" };

    public static async Task<int> RunAsync(Arguments args)
    {
        var sequential = args.Int("sequential", 50);
        var clusters = args.Int("clusters", 20);
        var perCluster = args.Int("per-cluster", 10);
        var apiParallelism = args.Int("api-parallelism", 16);
        var latency = TimeSpan.FromMilliseconds(args.Int("latency-ms", 0));
        var fastDb = args.Flag("fast-db");
        var timeout = TimeSpan.FromMinutes(args.Int("timeout-minutes", 10));

        Console.WriteLine($"Reconcile benchmark: {sequential} service maps one at a time on one cluster; then {clusters * perCluster} over " +
                          $"{clusters} clusters ({perCluster} each, one workspace per cluster), {apiParallelism} requests in flight; " +
                          $"{latency.TotalMilliseconds:0} ms added to each Kubernetes request; {Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var connectionString = database.ConnectionString;
        var watch = Stopwatch.StartNew();
        // One extra cluster for the sequential run, so that the burst starts on clusters with nothing on them.
        await using var fleet = await KubeSimFleet.StartAsync(clusters + 1,
            i => new KubeSimOptions { Name = $"rec-{i + 1:D3}", Nodes = 1, SeedPods = 0 }, parallelism: 4);
        foreach (var cluster in fleet.Clusters) cluster.Faults.Latency = latency;
        Console.WriteLine($"KubeSim: {clusters + 1} clusters started in this process in {watch.Elapsed.TotalSeconds:0.0} s");

        // The drift pass would compare every service map with its cluster while the burst runs: keep it out of the figures.
        var app = new CocktailApp().WithDatabase(connectionString).WithSetting("Cocktail:Reconciling:DriftInterval", "01:00:00");
        await app.InitializeAsync();
        Console.WriteLine($"Reconciliations run from {Queue(app)}");
        await using var verdicts = new ReadyEvents(connectionString);
        using var admin = await app.AsAdminAsync();
        admin.Timeout = TimeSpan.FromMinutes(5);

        watch.Restart();
        var setups = await SetUpAsync(admin, fleet.Clusters);
        Console.WriteLine($"Registered {setups.Count} clusters and gave each its own workspace in {watch.Elapsed.TotalSeconds:0.0} s");

        var single = await SequentialAsync(admin, verdicts, setups[0], sequential, timeout);
        var burst = await BurstAsync(admin, verdicts, setups.Skip(1).ToList(), perCluster, apiParallelism, timeout);
        await app.DisposeAsync();
        if (single is not null && burst is not null)
            await CompareWithCeilingAsync(connectionString, fleet.Clusters, single, burst.Value, sequential, perCluster, apiParallelism);
        return single is not null && burst is not null ? 0 : 1;
    }

    /// <summary>
    /// The ceiling for a service map is what it cannot do without: its creation and its Ready verdict are two
    /// durable commits (single-row insert+commit round trips to the same PostgreSQL), and its objects must reach the
    /// cluster (the same objects server-side applied straight to the same simulated clusters, at the same
    /// concurrency for the burst). Measured after Cocktail stopped, so the two do not share the CPU.
    /// </summary>
    private static async Task CompareWithCeilingAsync(string connectionString, IReadOnlyList<KubeSimCluster> clusters, List<double> single,
        double burstPerSecond, int sequential, int perCluster, int parallelism)
    {
        var commits = await Ceilings.CommitRoundTripsAsync(connectionString);
        using var first = BenchApi.KubernetesClient(clusters[0].AdminKubeconfigYaml);
        await BareServiceMap.ApplyAsync(first, "ceiling-warm-up");
        var applies = new List<double>();
        for (var i = 0; i < sequential; i++) applies.Add(await BareServiceMap.ApplyAsync(first, $"ceiling-{i:D3}"));

        var others = clusters.Skip(1).Select(c => BenchApi.KubernetesClient(c.AdminKubeconfigYaml)).ToArray();
        var total = others.Length * perCluster;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, ct) => await BareServiceMap.ApplyAsync(others[i % others.Length], $"ceiling-burst-{i:D4}", ct));
        var appliesPerSecond = total / clock.Elapsed.TotalSeconds;
        foreach (var client in others) client.Dispose();
        var commitsPerSecond = await Ceilings.CommitsPerSecondAsync(connectionString, parallelism, 2 * total);
        // Both halves share the same two cores, so their times add up rather than overlap.
        var ceilingPerSecond = 1 / (1 / appliesPerSecond + 2 / commitsPerSecond);

        Console.WriteLine("Ceiling, same run, same PostgreSQL and simulated clusters, without Cocktail:");
        Console.WriteLine($"  insert+commit round trip:          {Ceilings.Describe(commits)}");
        Console.WriteLine($"  bare apply of the same objects:    {Ceilings.Describe(applies)}");
        Console.WriteLine($"  (a) API call → Ready vs 2 commits + bare apply: {Ceilings.Latency(single, Ceilings.Sum(applies, commits, times: 2))}");
        Console.WriteLine($"  (b) burst, Ready per second vs bare applies ({appliesPerSecond:0}/s) and 2 commits each ({commitsPerSecond:0} commits/s), " +
                          $"{parallelism} at a time: {Ceilings.Throughput(burstPerSecond, ceilingPerSecond)}");
    }

    /// <summary>The durable local queue that ReconcileServiceMap goes through, and how many it runs at once.</summary>
    private static string Queue(CocktailApp app)
    {
        var runtime = app.Services.GetRequiredService<IWolverineRuntime>();
        var endpoint = runtime.Options.Transports.AllEndpoints()
            .First(e => e.Uri.Scheme == "local" && e.Uri.Host.EndsWith(nameof(ReconcileServiceMap), StringComparison.OrdinalIgnoreCase));
        return $"{endpoint.Uri} ({endpoint.Mode}, {endpoint.MaxDegreeOfParallelism} at a time)";
    }

    private sealed record Setup(string ClusterId, string WorkspaceId);

    private static async Task<List<Setup>> SetUpAsync(HttpClient admin, IReadOnlyList<KubeSimCluster> clusters)
    {
        var setups = new Setup[clusters.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, clusters.Count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var clusterId = await BenchApi.RegisterClusterAsync(admin, clusters[i], ct);
            var workspace = await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = $"bench-{i + 1:D3}" }, ct);
            var workspaceId = (string)workspace["id"]!;
            await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/clusters/{clusterId}", new { mode = "Dedicated", quota = WorkspaceQuota }, ct);
            setups[i] = new Setup(clusterId, workspaceId);
        });
        return [.. setups];
    }

    /// <summary>(a) One service map at a time: from sending the create to its Ready verdict committed.</summary>
    private static async Task<List<double>?> SequentialAsync(HttpClient admin, ReadyEvents verdicts, Setup setup, int count, TimeSpan timeout)
    {
        // Warm-up, not counted: the first request pays for code generation, connection pools and TLS to the cluster.
        var warmUp = await CreateAsync(admin, setup, "warm-up", default);
        await verdicts.WaitForAsync([warmUp.Id], timeout);

        var toReady = new List<double>();
        var api = new List<double>();
        var ids = new List<Guid>();
        foreach (var i in Enumerable.Range(1, count))
        {
            var created = await CreateAsync(admin, setup, $"seq-{i:D3}", default);
            if (!await verdicts.WaitForAsync([created.Id], timeout))
            {
                Console.WriteLine($"  seq-{i:D3} was not Ready after {timeout.TotalMinutes} min");
                return null;
            }
            ids.Add(created.Id);
            toReady.Add((verdicts.Ready[created.Id] - created.Sent).TotalMilliseconds);
            api.Add(created.Answered.TotalMilliseconds);
        }
        var committed = await verdicts.CreatedAsync();
        var committedToReady = ids.Select(id => (verdicts.Ready[id] - committed[id]).TotalMilliseconds).ToList();

        Console.WriteLine($"(a) One service map at a time on one cluster ({count}, after one warm-up):");
        Console.WriteLine($"  API call → Ready committed:        {Percentiles.Summary(toReady)}");
        Console.WriteLine($"  of which the API call, until 201:  {Percentiles.Summary(api)}");
        Console.WriteLine($"  creation committed → Ready:        {Percentiles.Summary(committedToReady)}");
        return toReady;
    }

    /// <summary>(b) Every service map of the burst sent as fast as the API takes them; the clock stops at the last Ready.</summary>
    private static async Task<double?> BurstAsync(HttpClient admin, ReadyEvents verdicts, IReadOnlyList<Setup> setups, int perCluster,
        int parallelism, TimeSpan timeout)
    {
        var total = setups.Count * perCluster;
        // Round robin over the clusters, as independent teams' requests would arrive.
        var work = Enumerable.Range(0, total).Select(i => (Setup: setups[i % setups.Count], Name: $"burst-{i:D4}")).ToList();
        var created = new Created[total];
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, ct) => created[i] = await CreateAsync(admin, work[i].Setup, work[i].Name, ct));
        var accepted = clock.Elapsed;

        var ids = created.Select(c => c.Id).ToList();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            await verdicts.PollAsync();
            var ready = ids.Count(verdicts.Ready.ContainsKey);
            if (ready == total) break;
            if (ids.FirstOrDefault(verdicts.Failed.ContainsKey) is var failed && failed != Guid.Empty)
                throw new InvalidOperationException($"Service map {failed} failed: {verdicts.Failed[failed]}");
            if (clock.Elapsed > timeout)
            {
                Console.WriteLine($"  only {ready}/{total} Ready after {timeout.TotalMinutes} min");
                return null;
            }
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = clock.Elapsed;
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:0.0} s: {ready}/{total} Ready");
            }
            await Task.Delay(50);
        }

        var readyAt = ids.Select(id => verdicts.Ready[id]).ToList();
        var allReady = readyAt.Max() - start;
        var latencies = created.Select(c => (verdicts.Ready[c.Id] - c.Sent).TotalMilliseconds).ToList();
        Console.WriteLine($"(b) {total} service maps over {setups.Count} clusters ({perCluster} each), {parallelism} create requests in flight:");
        Console.WriteLine($"  all {total} accepted by the API after {accepted.TotalSeconds:0.00} s ({total / accepted.TotalSeconds:0} per second); " +
                          $"{created.Sum(c => c.Conflicts)} answers were 409 and sent again ({created.Count(c => c.Conflicts > 0)} service maps)");
        Console.WriteLine($"  each create, until 201:            {Percentiles.Summary(created.Select(c => c.Answered.TotalMilliseconds).ToList())}");
        Console.WriteLine($"  all {total} Ready after {allReady.TotalSeconds:0.00} s from the first call ({total / allReady.TotalSeconds:0.0} per second)");
        Console.WriteLine($"  each, API call → Ready committed:  {Percentiles.Summary(latencies)}");
        return total / allReady.TotalSeconds;
    }

    private sealed record Created(Guid Id, DateTimeOffset Sent, TimeSpan Answered, int Conflicts);

    /// <summary>
    /// Creates a service map as a careful script would: a 409 (another service map on the same cluster was decided in
    /// the meantime, against the cluster's one quota ledger) is sent again, as the answer says, and counted.
    /// </summary>
    private static async Task<Created> CreateAsync(HttpClient admin, Setup setup, string name, CancellationToken ct)
    {
        var sent = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var body = new
        {
            name, clusterId = setup.ClusterId, @namespace = name, quota = ServiceMapQuota,
            defaultLimits = new { cpu = "500m", memory = "256Mi" }, podSecurity = "baseline",
        };
        for (var conflicts = 0; ; conflicts++)
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/workspaces/{setup.WorkspaceId}/service-maps", body, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return new Created(Guid.Parse((string)JsonNode.Parse(text)!["id"]!), sent, clock.Elapsed, conflicts);
            if (response.StatusCode != System.Net.HttpStatusCode.Conflict || conflicts >= 20)
                throw new InvalidOperationException($"Creating {name}: {(int)response.StatusCode} {text}");
        }
    }
}
