using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Cocktail.Testing.Charts;
using k8s;
using k8s.Models;

namespace Cocktail.Benchmarks.Releases;

/// <summary>
/// Issue 20: a fleet-wide addon upgrade. cert-manager runs on N simulated clusters (each with Flux's simulated source-
/// and helm-controller, charts served by a real HTTP chart repository); one <c>POST /api/v1/addons/cert-manager/fleet-upgrade</c>
/// asks for a newer version. The figure is, per cluster, the time from that request to the HelmRelease on the cluster
/// carrying the new version (target: all N within 30 s), and then to Cocktail showing every release deployed at it
/// (what Flux reported, read back by the follower). The ceiling, same run: the same objects (HelmRepository and
/// HelmRelease) server-side applied to the same N clusters by a bare KubernetesClient, 4, 16 or N at a time (the fastest kept), nothing of Cocktail in
/// between.
/// </summary>
public static class AddonsBenchmark
{
    public const string Usage = """
        addons options:
          --clusters N      clusters running the addon (100)
          --fast-db         PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private const string From = "v1.14.5", To = "v1.15.0", Back = "v1.14.5";
    private const string HelmGroup = "helm.toolkit.fluxcd.io", SourceGroup = "source.toolkit.fluxcd.io";

    private static TestChart CertManager(string version) =>
        TestChart.WithConfigMap("cert-manager", version) with
        {
            Values = "replicaCount: 1\n", AppVersion = version,
            Schema = """{"type":"object","properties":{"replicaCount":{"type":"integer","minimum":1}}}""",
        };

    public static async Task<int> RunAsync(Arguments args)
    {
        var count = args.Int("clusters", 100);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Addons benchmark: a fleet upgrade of cert-manager {From} → {To} on {count} clusters with Flux; {Environment.ProcessorCount} CPUs; " +
                          $"PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var charts = await ChartRepositoryServer.StartAsync(CertManager(From), CertManager(To));
        var setUp = Stopwatch.StartNew();
        await using var fleet = await KubeSimFleet.StartAsync(count, i => new KubeSimOptions { Name = $"addons-{i:000}", Nodes = 1, Flux = true });
        await Parallel.ForEachAsync(fleet.Clusters, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (sim, _) => await SharedCrds.InstallFluxAsync(sim));
        Console.WriteLine($"{count} clusters with Flux started in {setUp.Elapsed.TotalSeconds:0.0} s.");

        var app = new CocktailApp().WithDatabase(database.ConnectionString)
            .WithSetting("Cocktail:ImageScanning:Enabled", "false")
            .WithSetting("Cocktail:Addons:Repositories:jetstack", charts.Url);
        await app.InitializeAsync();
        var applied = new List<double>();
        TimeSpan answered, allApplied, allDeployed;
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(5);
            var ids = new string[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (i, ct) => ids[i] = await BenchApi.RegisterClusterAsync(admin, fleet.Clusters[i], ct));

            // Installed everywhere and deployed, not counted: code generation, pools, clients and their TLS, the charts cached.
            setUp.Restart();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (id, ct) => await BenchApi.PostAsync(admin, $"/api/v1/clusters/{id}/addons/cert-manager", new { version = From, values = "replicaCount: 2\n" }, ct));
            await WaitDeployedAsync(admin, From, count, TimeSpan.FromMinutes(10));
            Console.WriteLine($"cert-manager {From} installed and deployed on {count} clusters in {setUp.Elapsed.TotalSeconds:0.0} s (set-up, not counted).");

            var clock = Stopwatch.StartNew();
            var waiting = Task.Run(() => WaitAppliedAsync(fleet.Clusters, To, clock, TimeSpan.FromMinutes(5)));
            var response = await admin.PostAsJsonAsync("/api/v1/addons/cert-manager/fleet-upgrade", new { version = To, reason = "benchmark" });
            answered = clock.Elapsed;
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"fleet-upgrade: {(int)response.StatusCode} {body}");
            var upgrades = JsonNode.Parse(body)!["upgrades"]!.AsArray().Count;
            if (upgrades != count) throw new InvalidOperationException($"fleet-upgrade asked {upgrades} of {count} releases to upgrade: {body}");
            applied = await waiting;
            allApplied = TimeSpan.FromMilliseconds(applied.Max());
            await WaitDeployedAsync(admin, To, count, TimeSpan.FromMinutes(5));
            allDeployed = clock.Elapsed;
        }
        finally
        {
            await app.DisposeAsync();
        }

        Console.WriteLine($"Fleet upgrade through Cocktail ({count} releases):");
        Console.WriteLine($"  request answered (every release decided and recorded): {answered.TotalSeconds:0.00} s");
        Console.WriteLine($"  request → HelmRelease at {To} on the cluster: {Percentiles.Summary(applied)}; all {count}: {allApplied.TotalSeconds:0.00} s");
        Console.WriteLine($"  request → every release shown deployed at {To} (Flux's report read back): {allDeployed.TotalSeconds:0.00} s");
        await using (var db = Npgsql.NpgsqlDataSource.Create(database.ConnectionString))
        await using (var failures = db.CreateCommand("select data->>'reason', left(data->>'message', 160), count(*) from cocktail.mt_events where type = 'chart_release_failed' group by 1, 2"))
        await using (var reader = await failures.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                Console.WriteLine($"  (Flux reported a failure {reader.GetInt64(2)} times, then recovered: {reader.GetString(0)}: {reader.GetString(1)})");

        // Ceiling: the same two objects per cluster, server-side applied straight from a client, nothing of Cocktail in
        // between; at a few degrees of parallelism (each run a real version change Flux acts on), the fastest kept.
        var clients = fleet.Clusters.Select(c => BenchApi.KubernetesClient(c.AdminKubeconfigYaml)).ToList();
        try
        {
            await Task.WhenAll(clients.Select(c => c.CoreV1.ListNamespaceAsync(limit: 1))); // connections open, as Cocktail's are
            Console.WriteLine("Ceiling, same run, same simulated clusters, without Cocktail:");
            List<double>? ceiling = null;
            var version = Back;
            foreach (var parallelism in new[] { 4, 16, count })
            {
                var bare = Stopwatch.StartNew();
                var times = new double[count];
                await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                    async (i, _) => times[i] = await ApplyBareAsync(clients[i], fleet.Clusters[i], version, bare));
                Console.WriteLine($"  bare server-side apply of HelmRepository + HelmRelease on {count} clusters, {parallelism} at a time: " +
                                  $"{Percentiles.Summary(times)}; all {count}: {times.Max() / 1000:0.00} s");
                if (ceiling is null || times.Max() < ceiling.Max()) ceiling = [.. times];
                version = version == Back ? To : Back;
                await Task.Delay(TimeSpan.FromSeconds(3)); // Flux settles before the next run
            }
            var all = TimeSpan.FromMilliseconds(ceiling!.Max());
            Console.WriteLine($"  per cluster vs the fastest: {Ceilings.Latency(applied, ceiling!)}");
            Console.WriteLine($"  all {count}: {Ceilings.Duration(allApplied, all)}");
            Console.WriteLine($"  target all {count} applied ≤ 30 s: {(allApplied.TotalSeconds <= 30 ? "met" : "NOT met")} ({allApplied.TotalSeconds:0.00} s)");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        return 0;
    }

    private static async Task WaitDeployedAsync(HttpClient admin, string version, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var fleet = JsonNode.Parse(await admin.GetStringAsync("/api/v1/addons/cert-manager/fleet"))!["clusters"]!.AsArray();
            var deployed = fleet.Count(c => (string?)c!["status"] == "Deployed" && (string?)c["deployedVersion"] == version);
            if (deployed == count) return;
            if (DateTime.UtcNow > deadline)
            {
                // Flux can report a passing failure (a chart source not fetched yet) and recover: only a lasting one counts.
                var failed = fleet.Where(c => (string?)c!["status"] == "Failed").Select(c => $"{c!["clusterName"]}: {c["failure"]}").Take(5);
                throw new TimeoutException($"{deployed} of {count} releases deployed at {version} within {timeout}. Failed: {string.Join("; ", failed)}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Reads each cluster's HelmRelease every 20 ms (in process: KubeSim's own store, the state any client would read next)
    /// until it carries <paramref name="version"/>; answers the milliseconds since <paramref name="clock"/> started, per cluster.
    /// </summary>
    private static async Task<List<double>> WaitAppliedAsync(IReadOnlyList<KubeSimCluster> clusters, string version, Stopwatch clock, TimeSpan timeout)
    {
        var pending = clusters.ToList();
        var times = new List<double>();
        while (pending.Count > 0)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{pending.Count} HelmReleases did not reach {version} within {timeout}.");
            foreach (var sim in pending.ToList())
            {
                if ((string?)HelmRelease(sim)?["spec"]?["chart"]?["spec"]?["version"] != version) continue;
                times.Add(clock.Elapsed.TotalMilliseconds);
                pending.Remove(sim);
            }
            await Task.Delay(20);
        }
        return times;
    }

    private static JsonObject? HelmRelease(KubeSimCluster sim) => sim.Objects.Get($"{HelmGroup}/v2", "HelmRelease", "cert-manager", "cert-manager");

    private static async Task<double> ApplyBareAsync(IKubernetes client, KubeSimCluster sim, string version, Stopwatch clock)
    {
        var repository = Applied(sim.Objects.Get($"{SourceGroup}/v1", "HelmRepository", "cert-manager", "cert-manager")
            ?? throw new InvalidOperationException($"{sim.Name}: no HelmRepository cert-manager"));
        var release = Applied(HelmRelease(sim) ?? throw new InvalidOperationException($"{sim.Name}: no HelmRelease cert-manager"));
        release["spec"]!["chart"]!["spec"]!["version"] = version;
        await Retried(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(repository.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            SourceGroup, "v1", "cert-manager", "helmrepositories", "cert-manager", fieldManager: "bench-ceiling", force: true));
        await Retried(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(release.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            HelmGroup, "v2", "cert-manager", "helmreleases", "cert-manager", fieldManager: "bench-ceiling", force: true));
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>A connection reset (an idle kept-alive connection closed by the server) is retried, as Cocktail's client does.</summary>
    private static async Task Retried(Func<Task<object>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { await call(); return; }
            catch (HttpRequestException) when (attempt < 3) { }
        }
    }

    /// <summary>The object as an apply configuration: kind, name, namespace, labels and spec; nothing the server owns.</summary>
    private static JsonObject Applied(JsonObject current) => new()
    {
        ["apiVersion"] = current["apiVersion"]!.DeepClone(), ["kind"] = current["kind"]!.DeepClone(),
        ["metadata"] = new JsonObject
        {
            ["name"] = current["metadata"]!["name"]!.DeepClone(), ["namespace"] = current["metadata"]!["namespace"]!.DeepClone(),
            ["labels"] = current["metadata"]!["labels"]?.DeepClone(),
        },
        ["spec"] = current["spec"]!.DeepClone(),
    };
}
