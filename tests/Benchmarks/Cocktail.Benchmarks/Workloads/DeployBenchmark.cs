using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;
using Cocktail.KubeSim;
using Cocktail.Testing;
using k8s;
using k8s.Models;
using Npgsql;

namespace Cocktail.Benchmarks.Workloads;

/// <summary>
/// Issue 7: (a) from the deploy API call to the rollout recorded as Available (objects applied with server-side
/// apply, pods scheduled and made ready by the simulated kubelets, seen by the inventory watch, read by the
/// rollout tracker, the verdict committed), one deploy at a time; (b) the time to evaluate the security policies
/// of 1,000 workloads, in process and through the workspace's policy report (read models + evaluation + JSON).
/// </summary>
public static class DeployBenchmark
{
    public const string Usage = """
        deploy options:
          --deploys N           workloads deployed one after the other, each timed to Available (50)
          --replicas N          replicas of each deployed workload (2)
          --policy-workloads N  workloads whose policies are evaluated (1000)
          --report-calls N      policy report requests timed over those workloads (20)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private static readonly SecurityPolicy Strict = new(PodSecurityLevel.Restricted, ["registry.example.com"], ForbidLatestTag: true,
        RequireLimits: true, ForbidPrivilegeEscalation: true, ForbidHostPath: true, MaxReplicas: 10);

    public static async Task<int> RunAsync(Arguments args)
    {
        var deploys = args.Int("deploys", 50);
        var replicas = args.Int("replicas", 2);
        var policyWorkloads = args.Int("policy-workloads", 1000);
        var reportCalls = args.Int("report-calls", 20);
        var fastDb = args.Flag("fast-db");
        var simOptions = new KubeSimOptions { Name = "deploy-bench", Nodes = 3 };
        Console.WriteLine($"Deploy benchmark: {deploys} Deployments of {replicas} replicas one at a time; policies of {policyWorkloads} workloads; " +
                          $"{Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");
        Console.WriteLine($"KubeSim kubelets: pod start {simOptions.PodStartDelay.TotalMilliseconds:0} ms, ready {simOptions.PodReadyDelay.TotalMilliseconds:0} ms after start");

        Evaluation(policyWorkloads);

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var sim = await KubeSimCluster.StartAsync(simOptions);
        var app = new CocktailApp().WithDatabase(database.ConnectionString);
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(5);
            var clusterId = await BenchApi.RegisterClusterAsync(admin, sim);
            var workspaceId = (string)(await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = "bench" }))["id"]!;
            await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/clusters/{clusterId}", new
            {
                mode = "Dedicated", quota = new { cpu = "1000", memory = "4000Gi", gpu = "0", storage = "1000Gi", pods = "5000" },
            });
            var mapId = await ServiceMapAsync(admin, workspaceId, clusterId, "apps");
            await using var rollouts = new RolloutEvents(database.ConnectionString);
            var toAvailable = await DeploysAsync(admin, rollouts, mapId, deploys, replicas);
            var report = await ReportAsync(admin, rollouts, workspaceId, clusterId, policyWorkloads, reportCalls, deploys + 1);
            await app.DisposeAsync();
            await CompareWithCeilingAsync(database.ConnectionString, sim, toAvailable, report, replicas);
            return 0;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>(a) Each deploy timed from sending the request to the Available verdict committed.</summary>
    private static async Task<List<double>> DeploysAsync(HttpClient admin, RolloutEvents rollouts, string mapId, int count, int replicas)
    {
        // Warm-up, not counted: the first deploy pays for code generation, connection pools and TLS to the cluster.
        await rollouts.WaitForAsync(await DeployAsync(admin, mapId, "warm-up", replicas), "Available", TimeSpan.FromMinutes(2));
        var toAvailable = new List<double>();
        var api = new List<double>();
        var committedToAvailable = new List<double>();
        for (var i = 1; i <= count; i++)
        {
            var sent = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var id = await DeployAsync(admin, mapId, $"web-{i:D3}", replicas);
            api.Add(clock.Elapsed.TotalMilliseconds);
            var available = await rollouts.WaitForAsync(id, "Available", TimeSpan.FromMinutes(2));
            toAvailable.Add((available - sent).TotalMilliseconds);
            committedToAvailable.Add((available - await rollouts.DeployedAtAsync(id)).TotalMilliseconds);
        }
        Console.WriteLine($"(a) Deploy → rollout Available, one at a time ({count} Deployments of {replicas} replicas, after one warm-up):");
        Console.WriteLine($"  API call → Available committed:    {Percentiles.Summary(toAvailable)}");
        Console.WriteLine($"  of which the API call, until 201:  {Percentiles.Summary(api)}");
        Console.WriteLine($"  deploy committed → Available:      {Percentiles.Summary(committedToAvailable)}");
        return toAvailable;
    }

    /// <summary>
    /// The ceilings. (a) A deploy cannot do without two durable commits (the deploy, the Available verdict: single-row
    /// insert+commit round trips to the same PostgreSQL) and the rollout itself: the same Deployment and Service
    /// server-side applied straight to the same simulated cluster and polled until Available, which includes the
    /// simulated kubelets' start and ready delays. (b) The policy report's bare query is reading the same documents
    /// (service maps, workloads) from PostgreSQL as text, without deserializing, evaluating or answering. Both measured
    /// after Cocktail stopped, so the two do not share the CPU.
    /// </summary>
    private static async Task CompareWithCeilingAsync(string connectionString, KubeSimCluster sim, List<double> toAvailable, List<double> report, int replicas)
    {
        var commits = await Ceilings.CommitRoundTripsAsync(connectionString);
        using var client = BenchApi.KubernetesClient(sim.AdminKubeconfigYaml);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ceiling" } });
        await BareDeployAsync(client, "warm-up", replicas);
        var bare = new List<double>();
        for (var i = 0; i < toAvailable.Count; i++) bare.Add(await BareDeployAsync(client, $"web-{i:D3}", replicas));

        await using var db = NpgsqlDataSource.Create(connectionString);
        var reads = new List<double>();
        for (var i = 0; i <= report.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var command = db.CreateCommand("select data::text from cocktail.mt_doc_servicemapview union all select data::text from cocktail.mt_doc_workloadview");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) _ = reader.GetString(0);
            if (i > 0) reads.Add(clock.Elapsed.TotalMilliseconds); // the first is a warm-up
        }
        Console.WriteLine("Ceiling, same run, same PostgreSQL and simulated cluster, without Cocktail:");
        Console.WriteLine($"  insert+commit round trip:                {Ceilings.Describe(commits)}");
        Console.WriteLine($"  bare Deployment applied → Available:     {Ceilings.Describe(bare)}");
        Console.WriteLine($"  bare read of the report's documents:     {Ceilings.Describe(reads)}");
        Console.WriteLine($"  (a) API call → Available vs 2 commits + bare rollout: {Ceilings.Latency(toAvailable, Ceilings.Sum(bare, commits, times: 2))}");
        Console.WriteLine($"  (b) policy report vs bare read:          {Ceilings.Latency(report, reads)}");
    }

    private static async Task<double> BareDeployAsync(IKubernetes client, string name, int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1", Kind = "Deployment", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ceiling", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas, Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container
                        {
                            Name = "web", Image = "registry.example.com/shop/web:1.0", Ports = [new V1ContainerPort { ContainerPort = 8080 }],
                            Resources = new V1ResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
                                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                            },
                        }],
                    },
                },
            },
        };
        var service = new V1Service
        {
            ApiVersion = "v1", Kind = "Service", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ceiling" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
        };
        var started = Stopwatch.GetTimestamp();
        await client.AppsV1.PatchNamespacedDeploymentAsync(Apply(deployment), name, "ceiling", fieldManager: "bench-ceiling", force: true);
        await client.CoreV1.PatchNamespacedServiceAsync(Apply(service), name, "ceiling", fieldManager: "bench-ceiling", force: true);
        while (true)
        {
            var status = (await client.AppsV1.ReadNamespacedDeploymentStatusAsync(name, "ceiling")).Status;
            if (status?.AvailableReplicas == replicas && status.UpdatedReplicas == replicas &&
                status.Conditions?.Any(c => c.Type == "Available" && c.Status == "True") == true)
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(2)) throw new TimeoutException($"Bare Deployment {name} not Available after 2 minutes");
            await Task.Delay(5);
        }
    }

    private static V1Patch Apply(object body) => new(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch);

    /// <summary>(b) In process: the evaluator alone, over 1,000 specs of different shapes, against a strict policy.</summary>
    private static void Evaluation(int count)
    {
        var specs = Enumerable.Range(0, count).Select(Spec).ToList();
        var violations = 0;
        foreach (var spec in specs.Take(100)) violations += PolicyEvaluator.Evaluate(spec, Strict).Count; // warm-up
        var runs = new List<double>();
        for (var run = 0; run < 50; run++)
        {
            var clock = Stopwatch.StartNew();
            violations = specs.Sum(s => PolicyEvaluator.Evaluate(s, Strict).Count);
            runs.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"(b) Policies of {count} workloads evaluated in process (strict policy, {violations} violations found), 50 runs:");
        Console.WriteLine(FormattableString.Invariant(
            $"  all {count}: p50 {Percentiles.Of(runs, 50):0.00} ms, p99 {Percentiles.Of(runs, 99):0.00} ms ({Percentiles.Of(runs, 50) * 1000 / count:0.0} µs per workload)"));
    }

    /// <summary>(b) Through the API: the policy report over that many deployed workloads (zero replicas, so only the objects).</summary>
    private static async Task<List<double>> ReportAsync(HttpClient admin, RolloutEvents rollouts, string workspaceId, string clusterId, int count, int calls, int deployed)
    {
        var maps = new List<string>();
        for (var m = 0; m < 10; m++) maps.Add(await ServiceMapAsync(admin, workspaceId, clusterId, $"team-{m}"));
        var clock = Stopwatch.StartNew();
        var ids = new List<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var id = await DeployAsync(admin, maps[i % maps.Count], $"svc-{i:D4}", 0, image: i % 7 == 0 ? "docker.io/library/nginx:latest" : null);
            lock (ids) ids.Add(id);
        });
        Console.WriteLine($"  {count} more workloads (0 replicas) deployed over {maps.Count} service maps in {clock.Elapsed.TotalSeconds:0.0} s " +
                          $"({count / clock.Elapsed.TotalSeconds:0} per second)");
        // The rollout tracker's throughput: every one of those workloads followed to Available.
        var expected = ids.Count + deployed;
        var followed = Stopwatch.StartNew();
        long available;
        while ((available = await rollouts.WorkloadsAsync("Available")) < expected && followed.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(100);
        Console.WriteLine($"  all {count} deployed → {available}/{expected} rollouts recorded Available {clock.Elapsed.TotalSeconds:0.0} s after the first deploy " +
                          $"({followed.Elapsed.TotalSeconds:0.0} s after the last was accepted)");
        if (available < expected) Console.WriteLine($"  the others, by their last rollout status: {await rollouts.LastStatusesAsync()}\n{await rollouts.InventoryOfStuckAsync()}");
        await PutAsync(admin, $"/api/v1/workspaces/{workspaceId}/policy", new
        {
            podSecurity = "baseline", allowedRegistries = new[] { "registry.example.com" }, forbidLatestTag = true, requireLimits = true, maxReplicas = 10,
        });
        var durations = new List<double>();
        JsonNode? report = null;
        for (var i = 0; i <= calls; i++)
        {
            var call = Stopwatch.StartNew();
            var response = await admin.GetAsync($"/api/v1/workspaces/{workspaceId}/policy-report");
            report = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            if (i > 0) durations.Add(call.Elapsed.TotalMilliseconds); // the first is a warm-up
        }
        Console.WriteLine($"  policy report over {(int?)report!["workloadsChecked"]} workloads ({report["violating"]!.AsArray().Count} violating), {calls} calls:");
        Console.WriteLine($"  GET /api/v1/workspaces/{{id}}/policy-report: {Percentiles.Summary(durations)}");
        return durations;
    }

    private static WorkloadSpec Spec(int i) => new(
        $"w-{i}", i % 5 == 0 ? WorkloadKind.StatefulSet : WorkloadKind.Deployment,
        Enumerable.Range(0, 1 + i % 3).Select(c => new ContainerSpec(
            $"c{c}", i % 4 == 0 ? $"docker.io/team/app{c}:latest" : $"registry.example.com/team/app{c}:1.{i}",
            Env: [new EnvVar("MODE", "prod")], Ports: [new PortSpec(8080 + c)],
            Resources: i % 3 == 0 ? null : new Resources(new ResourceList("100m", "64Mi"), new ResourceList("200m", "128Mi")),
            SecurityContext: i % 2 == 0 ? new SecurityContext(AllowPrivilegeEscalation: false, RunAsNonRoot: true, DropCapabilities: ["ALL"], SeccompProfile: "RuntimeDefault") : null))
            .ToList(),
        Replicas: i % 13,
        Volumes: i % 11 == 0 ? [new Volume("host", HostPath: "/var/log")] : null);

    private static async Task<Guid> DeployAsync(HttpClient admin, string mapId, string name, int replicas, string? image = null)
    {
        var created = await BenchApi.PostAsync(admin, $"/api/v1/service-maps/{mapId}/workloads", new
        {
            name, replicas,
            containers = new[]
            {
                new
                {
                    name = "web", image = image ?? "registry.example.com/shop/web:1.0", ports = new[] { new { containerPort = 8080 } },
                    resources = new { requests = new { cpu = "10m", memory = "16Mi" }, limits = new { cpu = "100m", memory = "64Mi" } },
                },
            },
            service = new { ports = new[] { new { port = 80, targetPort = 8080 } } },
        });
        return Guid.Parse((string)created["id"]!);
    }

    private static async Task<string> ServiceMapAsync(HttpClient admin, string workspaceId, string clusterId, string name) =>
        (string)(await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/service-maps", new
        {
            name, clusterId, @namespace = name, podSecurity = "baseline",
            quota = new { cpu = "50", memory = "100Gi", gpu = "0", storage = "10Gi", pods = "400" },
            defaultLimits = new { cpu = "100m", memory = "64Mi" },
        }))["id"]!;

    private static async Task PutAsync(HttpClient client, string path, object body)
    {
        var response = await client.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>Rollout verdicts straight from Marten's event table, with the time each one's transaction committed.</summary>
public sealed class RolloutEvents(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);

    public async Task<DateTimeOffset> WaitForAsync(Guid workloadId, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = _db.CreateCommand(
                "select timestamp, data->>'status', data->>'message' from cocktail.mt_events where stream_id = $1 and type = 'workload_rollout_changed' order by seq_id");
            command.Parameters.Add(new NpgsqlParameter { Value = workloadId });
            await using var reader = await command.ExecuteReaderAsync();
            string? last = null;
            while (await reader.ReadAsync())
            {
                if (reader.GetString(1) == status) return reader.GetFieldValue<DateTimeOffset>(0);
                last = $"{reader.GetString(1)}: {(reader.IsDBNull(2) ? "" : reader.GetString(2))}";
            }
            if (last?.StartsWith("Failed") == true || last?.StartsWith("Stalled") == true)
                throw new InvalidOperationException($"Workload {workloadId} is {last}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Workload {workloadId} not {status} after {timeout}; last: {last ?? "none"}");
            await Task.Delay(5);
        }
    }

    public async Task<DateTimeOffset> DeployedAtAsync(Guid workloadId)
    {
        await using var command = _db.CreateCommand("select timestamp from cocktail.mt_events where stream_id = $1 and type = 'workload_deployed'");
        command.Parameters.Add(new NpgsqlParameter { Value = workloadId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    /// <summary>How many workloads have recorded this status at least once.</summary>
    public async Task<long> WorkloadsAsync(string status)
    {
        await using var command = _db.CreateCommand(
            "select count(distinct stream_id) from cocktail.mt_events where type = 'workload_rollout_changed' and data->>'status' = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Workloads by their latest rollout status (none: never observed), for a run that did not converge.</summary>
    public async Task<string> LastStatusesAsync()
    {
        await using var command = _db.CreateCommand("""
            select coalesce(last.status || coalesce(': ' || last.message, ''), 'never observed'), count(*)
            from cocktail.mt_events d
            left join lateral (select data->>'status' as status, data->>'message' as message from cocktail.mt_events r
                               where r.stream_id = d.stream_id and r.type = 'workload_rollout_changed' order by r.seq_id desc limit 1) last on true
            where d.type = 'workload_deployed' and coalesce(last.status, '') <> 'Available'
            group by 1 order by 2 desc limit 10
            """);
        var parts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) parts.Add($"{reader.GetString(0)} × {reader.GetInt64(1)}");
        return string.Join("; ", parts);
    }

    /// <summary>What the inventory holds of up to three workloads still Progressing, for a run that did not converge.</summary>
    public async Task<string> InventoryOfStuckAsync()
    {
        await using var command = _db.CreateCommand("""
            select o.name, o.data::text, o.updated_at
            from cocktail.inv_objects o
            where o.kind = 2 and exists (
                select 1 from cocktail.mt_events r where r.type = 'workload_rollout_changed'
                and r.stream_id::text = o.data->'labels'->>'cocktail.io/workload'
                and r.seq_id = (select max(seq_id) from cocktail.mt_events x where x.stream_id = r.stream_id and x.type = 'workload_rollout_changed')
                and r.data->>'status' = 'Progressing')
            limit 3
            """);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add($"    {reader.GetString(0)} (inventory row of {reader.GetFieldValue<DateTimeOffset>(2):HH:mm:ss.fff}): {reader.GetString(1)}");
        return string.Join("\n", lines);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
