using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using JasperFx;
using k8s;
using k8s.Models;
using Marten;
using Npgsql;

namespace Cocktail.Benchmarks.Builds;

/// <summary>
/// Issue 16: image builds on a simulated build cluster pushing to the real registry (Debian's docker-registry, no
/// auth), N builds with the workspace's limit of C at once. Per build, the time from the moment its Job's completion
/// reaches a watch on the cluster to the <c>BuildSucceeded</c> event committed in the event store (target p99 ≤ 2 s):
/// what Cocktail adds on top of the builder's own run (its inventory watch, the build tracker reading the Job, the
/// event appended). The ceiling, same run, same machine: a bare watch hearing an object change, plus a bare Marten
/// event append and commit to the same PostgreSQL, the two steps the path cannot do without.
/// </summary>
public static class BuildsBenchmark
{
    public const string Usage = """
        builds options:
          --builds N        builds timed (50), after one warm-up build
          --concurrency N   builds at once, the workspace's limit (4)
          --run-ms N        how long the simulated builder runs before it pushes (1000)
          --fast-db         PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private const string Namespace = "cocktail-builds";

    public static async Task<int> RunAsync(Arguments args)
    {
        if (!RegistryServer.Available)
        {
            Console.WriteLine(RegistryServer.MissingReason);
            return 2;
        }
        var count = args.Int("builds", 50);
        var concurrency = args.Int("concurrency", 4);
        var runTime = TimeSpan.FromMilliseconds(args.Int("run-ms", 1000));
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Builds benchmark: {count} builds, {concurrency} at once, builder run {runTime.TotalMilliseconds:0} ms; {Environment.ProcessorCount} CPUs; " +
                          $"PostgreSQL {BenchDatabase.Describe(fastDb)}; registry {RegistryServer.Executable} (no auth); .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "builds-bench", Nodes = 2, JobRunDuration = runTime });
        await using var registry = await RegistryServer.StartAsync(new RegistrySettings());
        var app = new CocktailApp().WithDatabase(database.ConnectionString).WithRegistry(registry);
        await app.InitializeAsync();
        List<Timed> timed;
        try
        {
            using var admin = await app.AsAdminAsync();
            admin.Timeout = TimeSpan.FromMinutes(5);
            var definitionId = await SetUpAsync(admin, sim, concurrency);
            await using var events = new BuildEvents(database.ConnectionString);
            using var client = BenchApi.KubernetesClient(sim.AdminKubeconfigYaml);

            // Warm-up, not counted: the first build pays for code generation, pools, the namespace and TLS to the cluster.
            var warmUp = await RunAsync(admin, definitionId);
            await events.WaitForAsync([warmUp], TimeSpan.FromMinutes(2));

            await using var jobs = await JobWatch.StartAsync(client);
            var clock = Stopwatch.StartNew();
            var ids = new List<Guid>();
            for (var i = 0; i < count; i++) ids.Add(await RunAsync(admin, definitionId));
            await events.WaitForAsync(ids, TimeSpan.FromMinutes(10));
            var wall = clock.Elapsed;
            timed = await MatchAsync(admin, events, jobs, ids);
            Console.WriteLine($"{count} builds succeeded in {wall.TotalSeconds:0.0} s ({count / wall.TotalSeconds:0.0} builds/s, at most {concurrency} at once).");
            Console.WriteLine($"  Job completion heard on a watch → BuildSucceeded committed:  {Percentiles.Summary(timed.Select(t => t.CompletionToEvent).ToList())}");
            Console.WriteLine($"  BuildStarted → BuildSucceeded, committed:                    {Percentiles.Summary(timed.Select(t => t.StartedToSucceeded).ToList())}");
            Console.WriteLine($"  of which the Job's own run (watch: created → complete):       {Percentiles.Summary(timed.Select(t => t.JobRun).ToList())}");
            Console.WriteLine($"  BuildStarted → BuildSucceeded beyond the Job's own run:       {Percentiles.Summary(timed.Select(t => t.StartedToSucceeded - t.JobRun).ToList())}");
            Console.WriteLine($"  BuildQueued → BuildSucceeded (queue wait included):           {Percentiles.Summary(timed.Select(t => t.QueuedToSucceeded).ToList())}");
        }
        finally
        {
            await app.DisposeAsync();
        }
        await CompareWithCeilingAsync(database.ConnectionString, sim, timed.Select(t => t.CompletionToEvent).ToList());
        return 0;
    }

    private static async Task<string> SetUpAsync(HttpClient admin, KubeSimCluster sim, int concurrency)
    {
        var clusterId = await BenchApi.RegisterClusterAsync(admin, sim);
        var settings = await admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId, @namespace = Namespace, concurrencyPerWorkspace = concurrency });
        if (!settings.IsSuccessStatusCode) throw new InvalidOperationException($"PUT /api/v1/platform/builds: {(int)settings.StatusCode} {await settings.Content.ReadAsStringAsync()}");
        var workspaceId = (string)(await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = "bench" }))["id"]!;
        return (string)(await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/build-definitions", new
        {
            name = "web", gitUrl = "https://git.example.com/shop/web.git", @ref = "main", repository = "web", tagTemplate = "{branch}-{buildNumber}",
        }))["id"]!;
    }

    private static async Task<Guid> RunAsync(HttpClient admin, string definitionId) =>
        Guid.Parse((string)(await BenchApi.PostAsync(admin, $"/api/v1/build-definitions/{definitionId}/runs", new { }))["id"]!);

    private sealed record Timed(double CompletionToEvent, double StartedToSucceeded, double JobRun, double QueuedToSucceeded);

    /// <summary>Each build's Job (by the name the API reports) matched with what the watch heard of it.</summary>
    private static async Task<List<Timed>> MatchAsync(HttpClient admin, BuildEvents events, JobWatch jobs, List<Guid> ids)
    {
        var timed = new List<Timed>();
        foreach (var id in ids)
        {
            var build = (await admin.GetFromJsonAsync<JsonNode>($"/api/v1/builds/{id}"))!;
            var job = (string)build["jobName"]!;
            if (!jobs.Completed.TryGetValue(job, out var completed) || !jobs.Created.TryGetValue(job, out var created))
                throw new InvalidOperationException($"The watch never heard Job {job} of build {id} complete.");
            var (queued, started, succeeded) = events.Times[id];
            timed.Add(new Timed((succeeded - completed).TotalMilliseconds, (succeeded - started).TotalMilliseconds, (completed - created).TotalMilliseconds,
                (succeeded - queued).TotalMilliseconds));
        }
        return timed;
    }

    /// <summary>
    /// The ceiling, measured after Cocktail stopped so the two do not share the CPU: a ConfigMap label patch timed until
    /// a bare watch hears it (how fast the cluster can tell anyone that an object changed), and a bare Marten append of
    /// one event to a stream with its commit (the least it takes to record an outcome), summed.
    /// </summary>
    private static async Task CompareWithCeilingAsync(string connectionString, KubeSimCluster sim, List<double> figure)
    {
        using var client = BenchApi.KubernetesClient(sim.AdminKubeconfigYaml);
        var delivery = await WatchDeliveryAsync(client, figure.Count);
        var appends = await MartenAppendsAsync(connectionString, figure.Count * 4);
        var ceiling = Ceilings.Sum(delivery, appends);
        Console.WriteLine("Ceiling, same run, same PostgreSQL and simulated cluster, without Cocktail:");
        Console.WriteLine($"  ConfigMap PATCH → MODIFIED heard on a bare watch:  {Ceilings.Describe(delivery)}");
        Console.WriteLine($"  bare Marten event append + commit:                 {Ceilings.Describe(appends)}");
        Console.WriteLine($"  Job completion → BuildSucceeded vs watch delivery + append: {Ceilings.Latency(figure, ceiling)}");
        var p99 = Percentiles.Of(figure, 99);
        Console.WriteLine($"  target p99 ≤ 2 s: {(p99 <= 2000 ? "met" : "NOT met")} ({Ceilings.Ms(p99)})");
    }

    internal static async Task<List<double>> WatchDeliveryAsync(IKubernetes client, int changes)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ceiling" } });
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "probe" } }, "ceiling");
        return await Ceilings.WatchDeliveryAsync(
            ct => client.CoreV1.WatchListNamespacedConfigMapAsync("ceiling", cancellationToken: ct),
            map => map.Metadata.Labels?.TryGetValue(Ceilings.ProbeLabel, out var value) == true ? value : null,
            (_, patch) => client.CoreV1.PatchNamespacedConfigMapAsync(patch, "probe", "ceiling"), changes, "ConfigMap");
    }

    public sealed record CeilingBuildSucceeded(Guid BuildId, string Digest, TimeSpan Duration, DateTimeOffset SucceededAt);

    /// <summary>One event appended to an existing stream and committed, on a store of its own in its own schema.</summary>
    internal static async Task<List<double>> MartenAppendsAsync(string connectionString, int count)
    {
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = "bench_ceiling";
            options.AutoCreateSchemaObjects = AutoCreate.All;
            options.Events.AddEventType<CeilingBuildSucceeded>();
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var streams = Enumerable.Range(0, 10).Select(_ => Guid.CreateVersion7()).ToArray();
        var times = new List<double>(count);
        for (var i = -10; i < count; i++)
        {
            var stream = streams[(i + 10) % streams.Length];
            var started = Stopwatch.GetTimestamp();
            await using (var session = store.LightweightSession())
            {
                session.Events.Append(stream, new CeilingBuildSucceeded(stream, "sha256:" + new string('a', 64), TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            }
            if (i >= 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds); // the first ten are a warm-up
        }
        return times;
    }

    /// <summary>When each build's events committed, straight from Marten's event table (each row carries its transaction's time).</summary>
    private sealed class BuildEvents(string connectionString) : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);
        private readonly Dictionary<Guid, (DateTimeOffset Queued, DateTimeOffset Started, DateTimeOffset Succeeded)> _times = [];
        private readonly Dictionary<Guid, string> _failed = [];

        public IReadOnlyDictionary<Guid, (DateTimeOffset Queued, DateTimeOffset Started, DateTimeOffset Succeeded)> Times => _times;

        private async Task PollAsync()
        {
            await using var command = _db.CreateCommand("""
                select s.stream_id, q.timestamp, b.timestamp, s.timestamp, s.type, s.data::text
                from cocktail.mt_events s
                join cocktail.mt_events q on q.stream_id = s.stream_id and q.type = 'build_queued'
                join cocktail.mt_events b on b.stream_id = s.stream_id and b.type = 'build_started'
                where s.type in ('build_succeeded', 'build_failed')
                """);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var id = reader.GetGuid(0);
                if (reader.GetString(4) == "build_failed") _failed[id] = reader.GetString(5);
                else _times.TryAdd(id, (reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        public async Task WaitForAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                await PollAsync();
                if (ids.FirstOrDefault(_failed.ContainsKey) is var failed && failed != Guid.Empty)
                    throw new InvalidOperationException($"Build {failed} failed: {_failed[failed]}");
                if (ids.All(_times.ContainsKey)) return;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"{ids.Count(i => !_times.ContainsKey(i))} of {ids.Count} builds did not succeed within {timeout}.");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync() => await _db.DisposeAsync();
    }

    /// <summary>A bare watch of the build namespace's Jobs: when each was first heard of, and when it was first heard complete.</summary>
    private sealed class JobWatch : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _watch = Task.CompletedTask;

        public ConcurrentDictionary<string, DateTimeOffset> Created { get; } = new();
        public ConcurrentDictionary<string, DateTimeOffset> Completed { get; } = new();

        public static async Task<JobWatch> StartAsync(IKubernetes client)
        {
            var watch = new JobWatch();
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            watch._watch = Task.Run(async () =>
            {
                try
                {
                    listening.TrySetResult();
                    await foreach (var (_, job) in client.BatchV1.WatchListNamespacedJobAsync(Namespace, cancellationToken: watch._stop.Token))
                    {
                        var now = DateTimeOffset.UtcNow;
                        watch.Created.TryAdd(job.Metadata.Name, now);
                        if (job.Status?.Succeeded >= 1 || job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true)
                            watch.Completed.TryAdd(job.Metadata.Name, now);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
            });
            await listening.Task;
            await Task.Delay(500); // the watch is open and past its initial events
            return watch;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watch;
        }
    }
}
