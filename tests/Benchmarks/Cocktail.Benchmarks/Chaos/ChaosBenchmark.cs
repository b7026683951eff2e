using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Npgsql;

namespace Cocktail.Benchmarks.Chaos;

/// <summary>
/// Issue 10, crash safety: two Cocktail replicas as separate processes on one PostgreSQL, mixed commands spread over
/// both, and one replica killed with SIGKILL at random moments (then started again). Prints whether every
/// acknowledged command's events exist, whether anything happened twice (events or objects on the clusters), and how
/// long the survivor took to take over the background work. The same commands without kills, in the same run, are
/// the ceiling.
/// </summary>
public static class ChaosBenchmark
{
    public const string Usage = """
        chaos options:
          --commands N     mixed commands per phase: once without kills (the ceiling), once with kills (5000)
          --clusters N     simulated clusters (2)
          --concurrency N  commands in flight at once (8)
          --kill-every S   mean seconds between two SIGKILLs during the chaos phase (8)
          --seed N         random seed for the command mix and the kills (1)
          --app PATH       Cocktail.Web.Blazor.dll to run (default: the one built in this repository)
          --fast-db        PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    private const string AdminPassword = "chaos-admin-password";
    private const string LeaderLock = "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
        "where l.locktype = 'advisory' and l.granted and l.classid = 1668244331 and l.objid = 1952541036";

    public static async Task<int> RunAsync(Arguments args)
    {
        var commands = args.Int("commands", 5000);
        var clusterCount = args.Int("clusters", 2);
        var concurrency = args.Int("concurrency", 8);
        var killEvery = TimeSpan.FromSeconds(args.Int("kill-every", 8));
        var seed = args.Int("seed", 1);
        var fastDb = args.Flag("fast-db");
        var appDll = ReplicaProcess.FindAppDll(args.String("app"));
        Console.WriteLine($"Chaos benchmark: 2 replicas (separate processes), {commands} mixed commands per phase, {clusterCount} simulated clusters, " +
                          $"{concurrency} in flight, a SIGKILL every ~{killEvery.TotalSeconds:0} s; {Environment.ProcessorCount} CPUs; " +
                          $"PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");
        Console.WriteLine($"  app: {appDll}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var sims = new List<KubeSimCluster>();
        for (var i = 0; i < clusterCount; i++) sims.Add(await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"chaos-{i}", Nodes = 3 }));
        var logs = Directory.CreateTempSubdirectory("cocktail-chaos-").FullName;
        var replicas = new[] { 0, 1 }.Select(i => new ReplicaProcess($"chaos-replica-{i}", appDll, database.ConnectionString, AdminPassword, logs)).ToArray();
        await using var db = NpgsqlDataSource.Create(database.ConnectionString);
        try
        {
            // One after the other on first start: the first creates the schema.
            foreach (var replica in replicas) await replica.StartAsync(CancellationToken.None);
            Console.WriteLine($"  replicas up: {string.Join(", ", replicas.Select(r => $"{r.Name} {r.BaseAddress}"))}; logs in {logs}");
            var token = await TokenAsync(replicas[0].BaseAddress);
            var world = await World.SetUpAsync(replicas, token, sims);

            // Not counted: both processes generate their handlers' code and fill their pools on first use.
            await RunPhaseAsync("warm-up", world, Math.Max(20, commands / 10), concurrency, seed + 2, chaos: null);
            var ceiling = await RunPhaseAsync("ceiling (no kills)", world, commands, concurrency, seed, chaos: null);
            // A short run still gets kills: at most a third of the ceiling's duration between two.
            var killInterval = TimeSpan.FromSeconds(Math.Clamp(ceiling.Elapsed.TotalSeconds / 3, 1, killEvery.TotalSeconds));
            var kills = new Chaos(replicas, db, sims[0], world, killInterval, seed);
            var chaotic = await RunPhaseAsync("chaos (SIGKILL)", world, commands, concurrency, seed + 1, kills);

            foreach (var replica in replicas.Where(r => !r.Up)) await replica.StartAsync(CancellationToken.None);
            var settle = Stopwatch.StartNew();
            var settled = await world.SettleAsync(db, TimeSpan.FromMinutes(3));
            Console.WriteLine($"Settling after the last command (every service map Ready, every grant on or off its cluster as decided): " +
                              $"{(settled ? "done" : "NOT done")} in {settle.Elapsed.TotalSeconds:0.0} s");

            var verdict = await Verdict.CheckAsync(db, world, sims);
            Console.WriteLine();
            Console.WriteLine($"{"phase",-20} {"sent",6} {"acked",6} {"refused",7} {"in doubt",8} {"time",8} {"acked/s",8}");
            foreach (var p in new[] { ceiling, chaotic })
                Console.WriteLine($"{p.Name,-20} {p.Sent,6} {p.Acked,6} {p.Refused,7} {p.InDoubt,8} {p.Elapsed.TotalSeconds,7:0.0}s {p.Acked / p.Elapsed.TotalSeconds,8:0.0}");
            Console.WriteLine($"  throughput under chaos / ceiling: {chaotic.Acked / chaotic.Elapsed.TotalSeconds / (ceiling.Acked / ceiling.Elapsed.TotalSeconds):0.00}");
            // The machine's ceiling for the no-kill phase: each acknowledged command is at least one durable commit, so
            // single-row insert+commit transactions per second on the same PostgreSQL, as many in flight as commands.
            var commits = await Ceilings.CommitsPerSecondAsync(database.ConnectionString, concurrency, 2000);
            Console.WriteLine($"  no-kill phase vs insert+commit with {concurrency} in flight (same PostgreSQL, same run): " +
                              $"{Ceilings.Throughput(ceiling.Acked / ceiling.Elapsed.TotalSeconds, commits)}");
            Console.WriteLine($"  refused = a 4xx/5xx answer (a 409 when two commands raced); in doubt = the replica died before answering");
            Console.WriteLine();
            Console.WriteLine($"Commands acknowledged: {verdict.Acknowledged}, applied (their events stored): {verdict.Applied}" +
                              $"{(verdict.Acknowledged == verdict.Applied ? "  = equal" : "  ≠ MISSING " + (verdict.Acknowledged - verdict.Applied))}");
            Console.WriteLine($"  in-doubt commands found applied: {verdict.InDoubtApplied} of {ceiling.InDoubt + chaotic.InDoubt}");
            Console.WriteLine($"Duplicate side effects: {verdict.Duplicates} ({verdict.DuplicateDetail})");
            Console.WriteLine($"  not converged on the clusters: {verdict.NotConverged} ({verdict.NotConvergedDetail})");
            kills.Print();
            return verdict.Acknowledged == verdict.Applied && verdict.Duplicates == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
            foreach (var sim in sims) await sim.DisposeAsync();
        }
    }

    private static async Task<string> TokenAsync(Uri baseAddress)
    {
        using var anonymous = new HttpClient { BaseAddress = baseAddress };
        var issued = await BenchApi.PostAsync(anonymous, "/api/v1/auth/tokens",
            new { userName = "admin", password = AdminPassword, name = "chaos", expiresInDays = 1 });
        return (string)issued["token"]!;
    }

    private static async Task<PhaseResult> RunPhaseAsync(string name, World world, int commands, int concurrency, int seed, Chaos? chaos)
    {
        var result = new PhaseResult(name);
        using var stop = new CancellationTokenSource();
        var chaosTask = chaos?.RunAsync(stop.Token) ?? Task.CompletedTask;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < commands)
                await world.SendOneAsync(new Random(seed * 1_000_003 + i), $"p{seed}x{i}", result);
        })).ToList();
        await Task.WhenAll(workers);
        result.Elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await chaosTask;
        Console.WriteLine($"  {name}: {result.Sent} sent, {result.Acked} acknowledged, {result.Refused} refused, {result.InDoubt} in doubt " +
                          $"in {result.Elapsed.TotalSeconds:0.0} s{(result.FirstRefusals.IsEmpty ? "" : "; refusals: " + string.Join(" | ", result.FirstRefusals.Take(3)))}");
        return result;
    }

    public sealed class PhaseResult(string name)
    {
        public string Name => name;
        public int Sent, Acked, Refused, InDoubt;
        public TimeSpan Elapsed;
        public readonly ConcurrentBag<string> FirstRefusals = [];
    }

    /// <summary>Kills one live replica at random moments (never both), and starts it again a little later.</summary>
    private sealed class Chaos(ReplicaProcess[] replicas, NpgsqlDataSource db, KubeSimCluster probeCluster, World world, TimeSpan every, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly List<string> _events = [];
        private readonly List<double> _lockTakeovers = [];
        private readonly List<double> _inventoryTakeovers = [];
        private readonly List<Task> _watchers = [];
        private readonly List<double> _nodeEjections = [];
        private int _kills;
        private int _killedLeader;

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(every.TotalMilliseconds * (0.5 + _random.NextDouble())), stop);
                    var live = replicas.Where(r => r.Up).ToList();
                    if (live.Count < 2) continue;
                    var victim = live[_random.Next(live.Count)];
                    var survivor = live.Single(r => r != victim);
                    var leader = await LeaderAsync();
                    var nodes = await WolverineNodesAsync();
                    victim.Kill();
                    var killedAt = Stopwatch.StartNew();
                    _kills++;
                    if (leader == victim.Name)
                    {
                        _killedLeader++;
                        var probe = $"probe-{Guid.NewGuid():N}"[..18];
                        probeCluster.Objects.SeedPods("default", 1, prefix: probe);
                        _lockTakeovers.Add(await UntilAsync(async () => await LeaderAsync() == survivor.Name, killedAt));
                        _inventoryTakeovers.Add(await UntilAsync(() => world.SeesPodAsync(survivor, probe), killedAt));
                    }
                    _watchers.Add(WatchEjectionAsync(nodes, killedAt));
                    lock (_events) _events.Add($"{killedAt.Elapsed:mm\\:ss} killed {victim.Name}{(leader == victim.Name ? " (the watching replica)" : "")}");
                    await Task.Delay(TimeSpan.FromMilliseconds(500 + _random.Next(2500)), CancellationToken.None);
                    await victim.StartAsync(CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        }

        /// <summary>Wolverine's own failure detection: the killed process's node row goes, and its messages are handed to the survivor.</summary>
        private async Task WatchEjectionAsync(HashSet<Guid> before, Stopwatch killedAt)
        {
            var seconds = await UntilAsync(async () =>
            {
                var now = await WolverineNodesAsync();
                return before.Count(now.Contains) < before.Count;
            }, killedAt, TimeSpan.FromMinutes(3));
            lock (_nodeEjections) _nodeEjections.Add(seconds);
        }

        private async Task<string?> LeaderAsync()
        {
            await using var command = db.CreateCommand(LeaderLock);
            return (string?)await command.ExecuteScalarAsync();
        }

        private async Task<HashSet<Guid>> WolverineNodesAsync()
        {
            await using var command = db.CreateCommand("select id from cocktail.wolverine_nodes");
            var ids = new HashSet<Guid>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
            return ids;
        }

        private static async Task<double> UntilAsync(Func<Task<bool>> condition, Stopwatch since, TimeSpan? timeout = null)
        {
            var deadline = since.Elapsed + (timeout ?? TimeSpan.FromMinutes(2));
            while (since.Elapsed < deadline)
            {
                try
                {
                    if (await condition()) return since.Elapsed.TotalSeconds;
                }
                catch (HttpRequestException) { }
                catch (NpgsqlException) { }
                await Task.Delay(50);
            }
            return double.PositiveInfinity;
        }

        public void Print()
        {
            Task.WaitAll(_watchers.ToArray(), TimeSpan.FromMinutes(3));
            Console.WriteLine($"Kills: {_kills} SIGKILLs, {_killedLeader} of them of the replica watching the clusters");
            foreach (var e in _events) Console.WriteLine($"  {e}");
            if (_lockTakeovers.Count > 0)
            {
                Console.WriteLine($"  survivor holds the watch lock, after the kill:        {Summary(_lockTakeovers)}");
                Console.WriteLine($"  a pod created at the kill is in the inventory, after: {Summary(_inventoryTakeovers)}");
            }
            if (_nodeEjections.Count > 0)
                Console.WriteLine($"  killed replica's messages released to the others:     {Summary(_nodeEjections)} (Wolverine node ejection)");
        }

        private static string Summary(List<double> seconds) =>
            FormattableString.Invariant($"p50 {Percentiles.Of(seconds, 50):0.0} s, max {seconds.Max():0.0} s (n = {seconds.Count})");
    }
}
