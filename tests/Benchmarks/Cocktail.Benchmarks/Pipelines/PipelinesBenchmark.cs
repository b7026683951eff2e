using System.Diagnostics;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Npgsql;

namespace Cocktail.Benchmarks.Pipelines;

/// <summary>
/// Issue 18: the overhead a pipeline adds between its steps, with N pipelines running at once. Each pipeline deploys
/// the same pushed image to its workload in a dev service map, waits for the rollout, then deploys it to its workload
/// in a staging service map. Per run, the hand-over is timed from the moment the dev step's work is done (the rollout
/// tracker's Available verdict for the new revision, as committed on the workload's stream) to the moment the
/// staging step's work has begun (the staging workload's new revision committed by the deploy step): the message to
/// the run, the run's decision (dev succeeded, staging started), the deploy step's message and its decision. Target
/// p99 ≤ 1 s. The ceiling, same run, same PostgreSQL: the two durable commits that hand-over cannot do without
/// (the run's decision, the deploy), as single-row insert+commit round trips.
/// </summary>
public static class PipelinesBenchmark
{
    public const string Usage = """
        pipelines options:
          --pipelines N     pipelines run at once, each dev → staging (50)
          --fast-db         PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    public static async Task<int> RunAsync(Arguments args)
    {
        if (!RegistryServer.Available || !Skopeo.Available)
        {
            Console.WriteLine(RegistryServer.Available ? "skopeo is not installed (apt-get install -y skopeo)" : RegistryServer.MissingReason);
            return 2;
        }
        var count = args.Int("pipelines", 50);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Pipelines benchmark: {count} pipelines at once, each deploy dev → wait for rollout → deploy staging; {Environment.ProcessorCount} CPUs; " +
                          $"PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "pipelines-bench", Nodes = 3 });
        await using var registry = await RegistryServer.StartAsync(new RegistrySettings());
        var app = new CocktailApp().WithDatabase(database.ConnectionString).WithRegistry(registry).WithSetting("Cocktail:ImageScanning:Enabled", "false");
        await app.InitializeAsync();
        List<double> handOver;
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
            var dev = await ServiceMapAsync(admin, workspaceId, clusterId, "dev", count);
            var staging = await ServiceMapAsync(admin, workspaceId, clusterId, "staging", count);
            await PushAsync(registry, "bench/web", "v1");
            await PushAsync(registry, "bench/web", "v2");

            var pipelines = new List<string>();
            for (var i = 0; i <= count; i++)
            {
                var name = $"web-{i:D3}";
                await DeployAsync(admin, dev, name);
                await DeployAsync(admin, staging, name);
                pipelines.Add(await PipelineAsync(admin, workspaceId, name, dev, staging));
            }
            await using var events = new RunEvents(database.ConnectionString);
            // Warm-up, not counted: the first run pays for code generation, pools and TLS to the cluster.
            await events.WaitForEndAsync([await RunAsync(admin, pipelines[0], "v1")], TimeSpan.FromMinutes(3));

            var clock = Stopwatch.StartNew();
            var runs = new List<Guid>();
            await Parallel.ForEachAsync(pipelines.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pipeline, _) =>
            {
                var run = await RunAsync(admin, pipeline, "v2");
                lock (runs) runs.Add(run);
            });
            var started = clock.Elapsed;
            var outcomes = await events.WaitForEndAsync(runs, TimeSpan.FromMinutes(10));
            var wall = clock.Elapsed;
            var failed = outcomes.Where(o => o.Value != "pipeline_run_succeeded").ToList();
            Console.WriteLine($"{runs.Count} runs started in {started.TotalSeconds:0.0} s; all ended {wall.TotalSeconds:0.0} s after the first; {failed.Count} did not succeed.");
            if (failed.Count > 0) Console.WriteLine($"  e.g. {await events.FailureAsync(failed[0].Key)}");

            handOver = await events.HandOversAsync(runs);
            var decided = await events.StepEndToNextStartAsync(runs);
            var firstStep = await events.QueuedToFirstDeployAsync(runs);
            Console.WriteLine($"  dev rollout Available committed → staging revision committed (the hand-over): {Percentiles.Summary(handOver)}");
            Console.WriteLine($"  PipelineStepSucceeded(dev) → PipelineStepStarted(staging), as recorded:        {Percentiles.Summary(decided)}");
            Console.WriteLine($"  run queued → dev revision committed (queue + first step's start):             {Percentiles.Summary(firstStep)}");
        }
        finally
        {
            await app.DisposeAsync();
        }
        var commits = await Ceilings.CommitRoundTripsAsync(database.ConnectionString);
        var ceiling = Ceilings.Sum(commits, commits);
        Console.WriteLine("Ceiling, same run, same PostgreSQL, without Cocktail (measured after it stopped):");
        Console.WriteLine($"  insert+commit round trip: {Ceilings.Describe(commits)}");
        Console.WriteLine($"  hand-over vs 2 commits:   {Ceilings.Latency(handOver, ceiling)}");
        var p99 = Percentiles.Of(handOver, 99);
        Console.WriteLine($"  target p99 ≤ 1 s: {(p99 <= 1000 ? "met" : "NOT met")} ({Ceilings.Ms(p99)})");
        return 0;
    }

    private static async Task PushAsync(RegistryServer registry, string repository, string tag)
    {
        var folder = Directory.CreateTempSubdirectory("cocktail-bench-oci-").FullName;
        try
        {
            var source = OciImage.Create($"{repository}:{tag}").WriteLayout(Path.Combine(folder, "image"));
            var pushed = await Skopeo.PushAsync(source, registry.Reference(repository, tag), null, null);
            if (!pushed.Succeeded) throw new InvalidOperationException($"skopeo push {repository}:{tag}: {pushed}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> ServiceMapAsync(HttpClient admin, string workspaceId, string clusterId, string name, int workloads) =>
        (string)(await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/service-maps", new
        {
            name, clusterId, @namespace = name, podSecurity = "baseline",
            quota = new { cpu = "100", memory = "200Gi", gpu = "0", storage = "10Gi", pods = $"{workloads * 4 + 20}" },
            defaultLimits = new { cpu = "100m", memory = "64Mi" },
        }))["id"]!;

    private static Task<JsonNode> DeployAsync(HttpClient admin, string mapId, string name) =>
        BenchApi.PostAsync(admin, $"/api/v1/service-maps/{mapId}/workloads", new
        {
            name, replicas = 1,
            containers = new[]
            {
                new { name = "web", image = "registry.example.com/shop/web:1.0", resources = new { requests = new { cpu = "10m", memory = "16Mi" }, limits = new { cpu = "100m", memory = "64Mi" } } },
            },
        });

    private static async Task<string> PipelineAsync(HttpClient admin, string workspaceId, string name, string dev, string staging) =>
        (string)(await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/pipelines", new { definition = new
        {
            name,
            source = new { kind = "Registry", repository = "web" },
            stages = new object[]
            {
                new { name = "dev", kind = "Deploy", targets = new[] { new { serviceMap = dev, workload = name, containers = new[] { "web" } } } },
                new { name = "staging", kind = "Deploy", targets = new[] { new { serviceMap = staging, workload = name, containers = new[] { "web" } } } },
            },
        } }))["id"]!;

    private static async Task<Guid> RunAsync(HttpClient admin, string pipelineId, string tag) =>
        Guid.Parse((string)(await BenchApi.PostAsync(admin, $"/api/v1/pipelines/{pipelineId}/runs", new { tag }))["id"]!);

    /// <summary>The runs' and workloads' events straight from Marten's event table, with the times their decisions recorded.</summary>
    private sealed class RunEvents(string connectionString) : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);

        public async Task<Dictionary<Guid, string>> WaitForEndAsync(IReadOnlyCollection<Guid> runs, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var ended = new Dictionary<Guid, string>();
                await using (var command = _db.CreateCommand(
                    "select stream_id, type from cocktail.mt_events where stream_id = any($1) and type in ('pipeline_run_succeeded', 'pipeline_run_failed', 'pipeline_run_cancelled')"))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = runs.ToArray() });
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) ended[reader.GetGuid(0)] = reader.GetString(1);
                }
                if (ended.Count == runs.Count) return ended;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{runs.Count - ended.Count} of {runs.Count} runs had not ended after {timeout}.");
                await Task.Delay(50);
            }
        }

        public async Task<string> FailureAsync(Guid run)
        {
            await using var command = _db.CreateCommand("select data->>'reason' from cocktail.mt_events where stream_id = $1 and type = 'pipeline_run_failed'");
            command.Parameters.Add(new NpgsqlParameter { Value = run });
            return (await command.ExecuteScalarAsync()) as string ?? "cancelled";
        }

        /// <summary>Per run: the dev workload's Available verdict (its decision's time) → the staging revision the deploy step made.</summary>
        public Task<List<double>> HandOversAsync(IReadOnlyCollection<Guid> runs) => DifferencesAsync(runs, """
            select (staging.data->>'appliedAt')::timestamptz - (available.data->>'observedAt')::timestamptz
            from cocktail.mt_events dev
            join cocktail.mt_events staging on staging.stream_id = dev.stream_id and staging.type = 'pipeline_deploy_applied' and staging.data->>'stage' = 'staging'
            join cocktail.mt_events available on available.type = 'workload_rollout_changed' and available.data->>'status' = 'Available'
                 and available.stream_id = (dev.data->'workloads'->0->>'workloadId')::uuid
                 and available.version > (select min(w.version) from cocktail.mt_events w where w.stream_id = available.stream_id and w.type = 'workload_updated')
            where dev.stream_id = any($1) and dev.type = 'pipeline_deploy_applied' and dev.data->>'stage' = 'dev'
            """);

        public Task<List<double>> StepEndToNextStartAsync(IReadOnlyCollection<Guid> runs) => DifferencesAsync(runs, """
            select (started.data->>'startedAt')::timestamptz - (succeeded.data->>'succeededAt')::timestamptz
            from cocktail.mt_events succeeded
            join cocktail.mt_events started on started.stream_id = succeeded.stream_id and started.type = 'pipeline_step_started' and started.data->>'stage' = 'staging'
            where succeeded.stream_id = any($1) and succeeded.type = 'pipeline_step_succeeded' and succeeded.data->>'stage' = 'dev'
            """);

        public Task<List<double>> QueuedToFirstDeployAsync(IReadOnlyCollection<Guid> runs) => DifferencesAsync(runs, """
            select (applied.data->>'appliedAt')::timestamptz - (queued.data->>'queuedAt')::timestamptz
            from cocktail.mt_events queued
            join cocktail.mt_events applied on applied.stream_id = queued.stream_id and applied.type = 'pipeline_deploy_applied' and applied.data->>'stage' = 'dev'
            where queued.stream_id = any($1) and queued.type = 'pipeline_run_queued'
            """);

        private async Task<List<double>> DifferencesAsync(IReadOnlyCollection<Guid> runs, string sql)
        {
            await using var command = _db.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = runs.ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            var values = new List<double>();
            while (await reader.ReadAsync()) values.Add(reader.GetFieldValue<TimeSpan>(0).TotalMilliseconds);
            if (values.Count == 0) throw new InvalidOperationException("No run recorded the events this figure is made of.");
            return values;
        }

        public ValueTask DisposeAsync() => _db.DisposeAsync();
    }
}
