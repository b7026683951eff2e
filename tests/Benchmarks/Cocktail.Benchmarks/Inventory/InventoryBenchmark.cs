using System.Diagnostics;
using Cocktail.Benchmarks.Access;
using Cocktail.Infrastructure.Inventory;
using Cocktail.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Benchmarks.Inventory;

/// <summary>
/// Issue 4: N simulated clusters (5 nodes, 50 pods each) registered through the API of a Cocktail host with its
/// production inventory settings; prints the time to a full inventory, the memory it takes, and how long a pod
/// change takes to reach the read model while every watch runs.
/// </summary>
public static class InventoryBenchmark
{
    public const string Usage = """
        inventory options:
          --clusters N          simulated clusters (100)
          --nodes N / --pods N  per cluster (5 / 50)
          --changes N           pod changes timed at the end (200), --change-parallelism N (4)
          --register-parallelism N   registrations in flight (8)
          --kubesim-process     run KubeSim in a child process, so this process's memory is Cocktail's alone
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
          --timeout-minutes N   give up waiting for the inventory after this long (15)
          --no-restart          skip the last phase: restart Cocktail with every cluster registered and its inventory cleared
          --setting KEY=VALUE   a Cocktail setting for the host, e.g. Cocktail:Inventory:FlushInterval=00:00:00.020 (repeatable)
        """;

    private const string BenchLabel = "cocktail-bench";

    public static async Task<int> RunAsync(Arguments args)
    {
        var clusters = args.Int("clusters", 100);
        var nodes = args.Int("nodes", 5);
        var pods = args.Int("pods", 50);
        var changes = args.Int("changes", 200);
        var changeParallelism = args.Int("change-parallelism", 4);
        var registerParallelism = args.Int("register-parallelism", 8);
        var childProcess = args.Flag("kubesim-process");
        var fastDb = args.Flag("fast-db");
        var timeout = TimeSpan.FromMinutes(args.Int("timeout-minutes", 15));
        var restart = !args.Flag("no-restart");

        Console.WriteLine($"Inventory benchmark: {clusters} clusters × {nodes} nodes × {pods} pods; {Environment.ProcessorCount} CPUs; " +
                          $"PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");
        var baseline = ProcessSnapshot.Take();
        Console.WriteLine($"  before anything:           {baseline.Describe()}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var connectionString = database.ConnectionString;
        var watch = Stopwatch.StartNew();
        await using var fleet = await SimulatedFleet.StartAsync(childProcess, clusters, nodes, pods);
        var clients = fleet.Clusters.Select(c => BenchApi.KubernetesClient(c.Kubeconfig)).ToArray();
        await WaitForRunningPodsAsync(clients, pods);
        var afterFleet = ProcessSnapshot.Take();
        Console.WriteLine($"KubeSim: {clusters} clusters started {fleet.Where} in {watch.Elapsed.TotalSeconds:0.0} s, every pod Running");
        Console.WriteLine($"  after starting KubeSim:    {afterFleet.Describe()}");
        var ceiling = await InventoryCeiling.MeasureAsync(clients, connectionString, ListParallelism, Math.Min(changes, 100));
        ceiling.Print(clusters, ListParallelism);

        var app = Configure(new CocktailApp().WithDatabase(connectionString), args.All("setting"));
        await app.InitializeAsync();
        var afterHost = ProcessSnapshot.Take();
        Console.WriteLine($"  after starting Cocktail:   {afterHost.Describe()}");

        await using var readModel = new ReadModel(connectionString);
        await readModel.StartListeningAsync();
        using var admin = await app.AsAdminAsync();
        admin.Timeout = TimeSpan.FromMinutes(5);

        var ids = new Guid[clusters];
        var cpu = new MachineCpu();
        var sinceFirstRegistration = Stopwatch.StartNew();
        var registering = RegisterAllAsync(admin, fleet.Clusters, ids, registerParallelism);
        var (registered, milestones) = await WaitForInventoryAsync(app, readModel, registering, clusters, nodes, pods, timeout, sinceFirstRegistration);
        Console.WriteLine($"Registered {clusters} clusters through POST /api/v1/clusters in {registered.TotalSeconds:0.0} s ({registerParallelism} at a time); " +
                          $"machine CPU {cpu.BusyPercentSinceLast():0}% busy meanwhile");
        if (milestones is null) return 1;
        Console.WriteLine($"Full inventory ({nodes} nodes and {pods} Running pods stored per cluster), from the first registration: " +
                          $"half after {milestones.Half.TotalSeconds:0.0} s, 90 % after {milestones.Ninety.TotalSeconds:0.0} s, " +
                          $"all after {milestones.All.TotalSeconds:0.0} s");
        Console.WriteLine($"  vs ceiling (bare lists + bare upserts): {Ceilings.Duration(milestones.All, ceiling.FullInventory)}");

        await Task.Delay(TimeSpan.FromSeconds(5)); // the watches' first round of events settles
        cpu.BusyPercentSinceLast();
        var processCpu = await SteadyCpuAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine($"  CPU while watching idle clusters (10 s): this process {processCpu:0}% of one core, machine {cpu.BusyPercentSinceLast():0}% busy");
        var watching = ProcessSnapshot.Take();
        Console.WriteLine($"  with every cluster watched: {watching.Describe()}");

        var (delays, roundTrips, missed) = await TimeChangesAsync(clients, ids, readModel, changes, changeParallelism, pods);
        Console.WriteLine($"Pod change → read model ({changes} label patches over random clusters, {changeParallelism} at a time, while every watch runs):");
        Console.WriteLine($"  from sending the PATCH to the row readable: {Percentiles.Summary(delays)}{(missed > 0 ? $"; {missed} not seen within 30 s" : "")}");
        Console.WriteLine($"  the PATCH itself (KubeSim round trip):      {Percentiles.Summary(roundTrips)}");
        Console.WriteLine($"  vs ceiling (bare watch + 1 commit):         {Ceilings.Latency(delays, ceiling.PodChange)}");

        Console.WriteLine("Memory of this process, after a full GC:");
        Console.WriteLine(childProcess
            ? $"  this harness's own Kubernetes clients: {afterFleet.Minus(baseline).Describe()}; KubeSim {fleet.Where}: {fleet.Memory()}"
            : $"  KubeSim ({fleet.Where}): {afterFleet.Minus(baseline).Describe()}");
        Console.WriteLine($"  Cocktail host, no clusters: {afterHost.Minus(afterFleet).Describe()}");
        Console.WriteLine($"  Cocktail watching {clusters} clusters (incl. host): {watching.Minus(afterFleet).Describe()}");
        if (!childProcess)
            Console.WriteLine("  (in-process, the last line also holds KubeSim's side of every watch connection; --kubesim-process separates them)");
        Console.WriteLine($"Database: {await readModel.DescribeDatabaseAsync()}");
        Console.WriteLine($"Watches: {Supervisor(app).Relists} lists in all ({clusters * 11} kinds watched)");
        Console.WriteLine($"Health transitions recorded while every cluster was up: {await readModel.HealthTransitionsAsync()}");
        await app.DisposeAsync();

        var cold = !restart || await RestartAsync(Configure(new CocktailApp().WithDatabase(connectionString), args.All("setting")),
            readModel, clusters, nodes, pods, timeout, ceiling);
        foreach (var client in clients) client.Dispose();
        return missed > 0 || !cold ? 1 : 0;
    }

    private static CocktailApp Configure(CocktailApp app, IEnumerable<string> settings)
    {
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"--setting takes KEY=VALUE, not '{setting}'.");
            app.WithSetting(setting[..equals], setting[(equals + 1)..]);
            Console.WriteLine($"  setting {setting}");
        }
        return app;
    }

    /// <summary>Clusters listed at once, while waiting for the fleet and for the ceiling's bare lists.</summary>
    private const int ListParallelism = 8;

    /// <summary>
    /// So that the clock starts on settled clusters. A busy simulator may drop a handshake or answer a list after the
    /// client's 100 s timeout (the whole fleet starting on two cores); either is asked again until the deadline.
    /// </summary>
    private static async Task WaitForRunningPodsAsync(IKubernetes[] clients, int pods)
    {
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = ListParallelism }, async (client, ct) =>
        {
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (true)
            {
                try
                {
                    if ((await client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: ct)).Items.Count(p => p.Status?.Phase == "Running") >= pods)
                        return;
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                    if (DateTime.UtcNow > deadline) throw;
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException("KubeSim's pods did not all run.");
                await Task.Delay(500, ct);
            }
        });
    }

    private static async Task RegisterAllAsync(HttpClient admin, IReadOnlyList<SimulatedCluster> clusters, Guid[] ids, int parallelism) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, clusters.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, ct) => ids[i] = Guid.Parse(await BenchApi.RegisterClusterAsync(admin, clusters[i].Name, clusters[i].Kubeconfig, ct)));

    private sealed record Milestones(TimeSpan Half, TimeSpan Ninety, TimeSpan All);

    private static async Task<(TimeSpan Registered, Milestones? Done)> WaitForInventoryAsync(CocktailApp app, ReadModel readModel,
        Task registering, int clusters, int nodes, int pods, TimeSpan timeout, Stopwatch clock)
    {
        TimeSpan? registered = null, half = null, ninety = null;
        var cpu = new MachineCpu();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            if (registering.IsCompleted && registered is null)
            {
                await registering; // a failed registration ends the run here
                registered = clock.Elapsed;
            }
            var complete = await readModel.CompleteClustersAsync(nodes, pods);
            var now = clock.Elapsed;
            if (half is null && complete * 2 >= clusters) half = now;
            if (ninety is null && complete * 10 >= clusters * 9) ninety = now;
            if (complete == clusters && registered is not null) return (registered.Value, new Milestones(half!.Value, ninety!.Value, now));
            if (now - lastReport >= TimeSpan.FromSeconds(10))
            {
                lastReport = now;
                var writer = app.Services.GetRequiredService<InventoryWriter>();
                var watching = Supervisor(app).Watching;
                Console.WriteLine($"  {now.TotalSeconds,6:0} s: {complete}/{clusters} complete, {watching.Count} watched ({watching.Count(w => w.Value)} listed), " +
                                  $"writer queue {writer.Pending}, machine CPU {cpu.BusyPercentSinceLast(),3:0}%, pool threads {ThreadPool.ThreadCount}, " +
                                  $"{ThreadPool.PendingWorkItemCount} work items waiting");
            }
            if (now > timeout)
            {
                Console.WriteLine($"Gave up after {timeout.TotalMinutes} minutes: {complete} of {clusters} clusters complete.");
                return (registered ?? now, null);
            }
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Every cluster registered, nothing stored: what a new replica (or Cocktail after an outage) faces, with every
    /// watcher starting at once.
    /// </summary>
    private static async Task<bool> RestartAsync(CocktailApp app, ReadModel readModel, int clusters, int nodes, int pods, TimeSpan timeout, InventoryCeiling ceiling)
    {
        await readModel.ClearInventoryAsync();
        var cpu = new MachineCpu();
        var clock = Stopwatch.StartNew();
        try
        {
            await app.InitializeAsync();
            var started = clock.Elapsed;
            var (_, milestones) = await WaitForInventoryAsync(app, readModel, Task.CompletedTask, clusters, nodes, pods, timeout, clock);
            if (milestones is null) return false;
            Console.WriteLine($"Restart with {clusters} clusters registered and the inventory cleared: host started in {started.TotalSeconds:0.0} s; " +
                              $"full inventory half after {milestones.Half.TotalSeconds:0.0} s, 90 % after {milestones.Ninety.TotalSeconds:0.0} s, " +
                              $"all after {milestones.All.TotalSeconds:0.0} s; machine CPU {cpu.BusyPercentSinceLast():0}% busy meanwhile");
            Console.WriteLine($"  vs ceiling (bare lists + bare upserts): {Ceilings.Duration(milestones.All, ceiling.FullInventory)}");
            Console.WriteLine($"Health transitions recorded in all: {await readModel.HealthTransitionsAsync()}");
            return true;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static InventorySupervisor Supervisor(CocktailApp app) => app.Services.GetRequiredService<InventorySupervisor>();

    private static async Task<double> SteadyCpuAsync(TimeSpan window)
    {
        var before = CpuMeter.ProcessTime();
        await Task.Delay(window);
        return (CpuMeter.ProcessTime() - before).TotalMilliseconds / window.TotalMilliseconds * 100;
    }

    private static async Task<(List<double> Delays, List<double> RoundTrips, int Missed)> TimeChangesAsync(IKubernetes[] clients, Guid[] ids,
        ReadModel readModel, int changes, int parallelism, int pods)
    {
        var delays = new List<double>();
        var roundTrips = new List<double>();
        var missed = 0;
        var next = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, parallelism), async (_, ct) =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= changes)
            {
                var cluster = Random.Shared.Next(ids.Length);
                var pod = $"pod-{Random.Shared.Next(pods)}";
                var value = $"change-{n}";
                var patch = new V1Patch(new { metadata = new { labels = new Dictionary<string, string> { [BenchLabel] = value } } }, V1Patch.PatchType.MergePatch);
                var sent = Stopwatch.GetTimestamp();
                await clients[cluster].CoreV1.PatchNamespacedPodAsync(patch, pod, "default", cancellationToken: ct);
                var patched = Stopwatch.GetElapsedTime(sent);
                var seen = await readModel.WaitForPodLabelAsync(ids[cluster], "default", pod, BenchLabel, value, TimeSpan.FromSeconds(30));
                var elapsed = Stopwatch.GetElapsedTime(sent);
                lock (delays)
                {
                    roundTrips.Add(patched.TotalMilliseconds);
                    if (seen) delays.Add(elapsed.TotalMilliseconds);
                    else missed++;
                }
                await Task.Delay(Random.Shared.Next(20, 120), ct); // spread the changes out a little, as real ones are
            }
        });
        return (delays, roundTrips, missed);
    }
}
