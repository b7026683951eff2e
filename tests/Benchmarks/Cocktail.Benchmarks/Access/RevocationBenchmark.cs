using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// Issue 6: one access grant per simulated cluster, each with a downloaded kubeconfig token in use; then the time
/// from sending the revoke command to the cluster refusing that token (401), one revocation at a time and, with
/// --burst, all at once.
/// </summary>
public static class RevocationBenchmark
{
    public const string Usage = """
        revocation options:
          --clusters N          simulated clusters, one grant on each (50)
          --burst               revoke every grant at once instead of one after the other
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private sealed record Grant(string Id, KubeSimCluster Cluster, string Token);

    public static async Task<int> RunAsync(Arguments args)
    {
        var count = args.Int("clusters", 50);
        var burst = args.Flag("burst");
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Revocation benchmark: {count} clusters, one grant each with a token in use, revoked {(burst ? "all at once" : "one after the other")}; " +
                          $"{Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var clock = Stopwatch.StartNew();
        // One cluster more, for a revocation that is not counted: the first one pays for code generation and connection pools.
        await using var fleet = await KubeSimFleet.StartAsync(count + 1, i => new KubeSimOptions { Name = $"rev-{i + 1:D3}", Nodes = 1, SeedPods = 0 }, parallelism: 4);
        Console.WriteLine($"  KubeSim: {count + 1} clusters started in this process in {clock.Elapsed.TotalSeconds:0.0} s");
        var app = new CocktailApp().WithDatabase(database.ConnectionString)
            .WithSetting("Cocktail:Reconciling:DriftInterval", "01:00:00");
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(2);
            var user = await app.CreateUserAsync();
            clock.Restart();
            var all = await GrantEachAsync(admin, user, fleet.Clusters);
            Console.WriteLine($"  {all.Count} clusters registered, granted, Active, and a kubeconfig downloaded for each in {clock.Elapsed.TotalSeconds:0.0} s");

            using var probe = ProbeClient();
            foreach (var grant in all)
                if (await StatusAsync(probe, grant) != HttpStatusCode.OK) throw new InvalidOperationException($"The token of {grant.Cluster.Name} does not work before revocation.");
            await RevokeAndWaitAsync(admin, probe, all[^1], TimeSpan.Zero);
            var grants = all.Take(count).ToList();

            var latencies = burst ? await BurstAsync(admin, probe, grants) : await OneAtATimeAsync(admin, probe, grants);
            var refused = latencies.Select(l => l.Refused).ToList();
            Console.WriteLine($"  revoke command → token refused (401): {Percentiles.Summary(refused)}");
            Console.WriteLine($"  of which the revoke call (200):       {Percentiles.Summary(latencies.Select(l => l.Answered).ToList())}");
            await app.DisposeAsync();
            await CompareWithCeilingAsync(database.ConnectionString, fleet.Clusters[^1], probe, refused);
            return 0;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The ceiling for a revocation is what it cannot do without: the revoke is one durable commit (a single-row
    /// insert+commit round trip to the same PostgreSQL), then the token's ServiceAccount is deleted on the cluster
    /// and the next request with the token is refused (the same delete sent straight to a simulated cluster of the
    /// same fleet, probed the same way). Measured after Cocktail stopped, so the two do not share the CPU.
    /// </summary>
    private static async Task CompareWithCeilingAsync(string connectionString, KubeSimCluster cluster, HttpClient probe, List<double> refused)
    {
        var commits = await Ceilings.CommitRoundTripsAsync(connectionString);
        using var client = BenchApi.KubernetesClient(cluster.AdminKubeconfigYaml);
        var bare = new List<double>();
        for (var i = 0; i <= refused.Count; i++)
        {
            var name = $"ceiling-{i:D3}";
            await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, "default");
            var token = (await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
                new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, name, "default")).Status.Token;
            var grant = new Grant(name, cluster, token);
            // No role bound: the token works when the answer is 403 (known, not allowed) rather than 401 (refused).
            if (await StatusAsync(probe, grant) == HttpStatusCode.Unauthorized) throw new InvalidOperationException("A fresh ServiceAccount token is refused.");
            var sent = Stopwatch.GetTimestamp();
            await client.CoreV1.DeleteNamespacedServiceAccountAsync(name, "default");
            while (await StatusAsync(probe, grant) != HttpStatusCode.Unauthorized) { }
            if (i > 0) bare.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds); // the first is a warm-up
        }
        Console.WriteLine("  ceiling, same run, same PostgreSQL and simulated cluster, without Cocktail:");
        Console.WriteLine($"    insert+commit round trip:                        {Ceilings.Describe(commits)}");
        Console.WriteLine($"    ServiceAccount deleted → its token refused:      {Ceilings.Describe(bare)}");
        Console.WriteLine($"    revoke → 401 vs 1 commit + delete → 401:         {Ceilings.Latency(refused, Ceilings.Sum(bare, commits))}");
    }

    private static async Task<List<Grant>> GrantEachAsync(HttpClient admin, TestUser user, IReadOnlyList<KubeSimCluster> clusters)
    {
        var grants = new Grant[clusters.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, clusters.Count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var cluster = clusters[i];
            var clusterId = await BenchApi.RegisterClusterAsync(admin, cluster, ct);
            var granted = await BenchApi.PostAsync(admin, "/api/v1/access-grants", new
            {
                userId = user.Id, clusterId, scope = "Cluster", role = "view",
                validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "revocation benchmark",
            }, ct);
            var id = (string)granted["grant"]!["id"]!;
            await WaitForActiveAsync(user.Client, id, ct);
            var kubeconfig = await KubeconfigAsync(user.Client, id, ct);
            grants[i] = new Grant(id, cluster, BenchApi.TokenOf(kubeconfig));
        });
        return [.. grants];
    }

    private sealed record Latency(double Refused, double Answered);

    /// <summary>Each revocation alone: the only token being probed is the one just revoked.</summary>
    private static async Task<List<Latency>> OneAtATimeAsync(HttpClient admin, HttpClient probe, IReadOnlyList<Grant> grants)
    {
        var latencies = new List<Latency>();
        foreach (var grant in grants) latencies.Add(await RevokeAndWaitAsync(admin, probe, grant, TimeSpan.Zero));
        return latencies;
    }

    private static async Task<List<Latency>> BurstAsync(HttpClient admin, HttpClient probe, IReadOnlyList<Grant> grants)
    {
        var clock = Stopwatch.StartNew();
        var latencies = await Task.WhenAll(grants.Select(g => Task.Run(() => RevokeAndWaitAsync(admin, probe, g, TimeSpan.FromMilliseconds(10)))));
        Console.WriteLine($"  every token refused {clock.Elapsed.TotalMilliseconds:0} ms after the first revoke was sent");
        return [.. latencies];
    }

    /// <summary>From sending the revoke to the first 401, probing the token as a user's kubectl would, back to back.</summary>
    private static async Task<Latency> RevokeAndWaitAsync(HttpClient admin, HttpClient probe, Grant grant, TimeSpan pause)
    {
        var sent = Stopwatch.GetTimestamp();
        var revoke = admin.PostAsJsonAsync($"/api/v1/access-grants/{grant.Id}/revoke", new { reason = "benchmark" });
        var refused = Task.Run(async () =>
        {
            while (true)
            {
                var status = await StatusAsync(probe, grant);
                if (status == HttpStatusCode.Unauthorized) return Stopwatch.GetElapsedTime(sent);
                if (status != HttpStatusCode.OK) throw new InvalidOperationException($"{grant.Cluster.Name} answered {(int)status}");
                if (Stopwatch.GetElapsedTime(sent) > TimeSpan.FromMinutes(1)) throw new TimeoutException($"{grant.Cluster.Name} still accepts the token");
                if (pause > TimeSpan.Zero) await Task.Delay(pause);
            }
        });
        using var response = await revoke;
        var answered = Stopwatch.GetElapsedTime(sent);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Revoke answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return new Latency((await refused).TotalMilliseconds, answered.TotalMilliseconds);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient probe, Grant grant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{grant.Cluster.Server}/api/v1/namespaces/default/configmaps?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grant.Token);
        using var response = await probe.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpClient ProbeClient() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        MaxConnectionsPerServer = 16,
    });

    /// <summary>A 409 says the cluster did not answer the TokenRequest in time (a loaded machine): asked again, as a user would.</summary>
    private static async Task<string> KubeconfigAsync(HttpClient client, string grantId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.GetAsync($"/api/v1/access-grants/{grantId}/kubeconfig", ct);
            if (response.StatusCode != HttpStatusCode.Conflict || attempt == 5) return await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(ct);
            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
        }
    }

    private static async Task WaitForActiveAsync(HttpClient client, string grantId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var grant = JsonNode.Parse(await client.GetStringAsync($"/api/v1/access-grants/{grantId}", ct))!;
            if ((string?)grant["state"] == "Active") return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Grant {grantId} is {(string?)grant["state"]} after 2 minutes");
            await Task.Delay(50, ct);
        }
    }
}
