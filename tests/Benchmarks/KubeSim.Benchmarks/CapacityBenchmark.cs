using System.Diagnostics;

namespace Cocktail.KubeSim.Benchmarks;

/// <summary>
/// How many simulated clusters (N nodes, M running pods each) fit in the memory budget: clusters are started in
/// batches, each batch waits until all its pods run, then the process working set (managed heap + native, as the
/// OS counts it) is measured after a full GC. Stops at the budget, or at MaxClusters and extrapolates linearly
/// from the measured cost per cluster.
/// </summary>
public static class CapacityBenchmark
{
    public sealed record Sample(int Clusters, long WorkingSet, long ManagedHeap, TimeSpan Elapsed);

    public sealed record Result(List<Sample> Samples, long Baseline, long BudgetBytes, bool ReachedBudget, TimeSpan StartupPerCluster)
    {
        public double BytesPerCluster
        {
            get
            {
                var first = Samples.First();
                var last = Samples.Last();
                return last.Clusters == first.Clusters ? (last.WorkingSet - Baseline) / (double)last.Clusters
                    : (last.WorkingSet - first.WorkingSet) / (double)(last.Clusters - first.Clusters);
            }
        }

        public int ClustersInBudget => ReachedBudget
            ? Samples.Where(s => s.WorkingSet <= BudgetBytes).Select(s => s.Clusters).DefaultIfEmpty(0).Max()
            : Samples.Last().Clusters + (int)((BudgetBytes - Samples.Last().WorkingSet) / BytesPerCluster);

        public void Print()
        {
            Console.WriteLine();
            Console.WriteLine("== Capacity ==");
            Console.WriteLine($"{"clusters",9} {"working set MiB",16} {"managed MiB",12} {"elapsed",9}");
            foreach (var s in Samples)
                Console.WriteLine($"{s.Clusters,9} {s.WorkingSet / 1048576.0,16:F0} {s.ManagedHeap / 1048576.0,12:F0} {s.Elapsed.TotalSeconds,8:F0}s");
            Console.WriteLine($"baseline working set (no cluster): {Baseline / 1048576.0:F0} MiB");
            Console.WriteLine($"measured cost per cluster: {BytesPerCluster / 1048576.0:F2} MiB working set, start-up {StartupPerCluster.TotalMilliseconds:F0} ms per cluster (2 cores)");
            Console.WriteLine(ReachedBudget
                ? $"clusters held in {BudgetBytes / 1048576} MiB: {ClustersInBudget} (measured: the next batch passed the budget)"
                : $"clusters held in {BudgetBytes / 1048576} MiB: ~{ClustersInBudget} (extrapolated from {Samples.Last().Clusters} started clusters)");
        }
    }

    public static async Task<Result> RunAsync(BenchmarkOptions options)
    {
        var baseline = Measure();
        var started = Stopwatch.StartNew();
        var samples = new List<Sample>();
        var clusters = new List<KubeSimCluster>();
        var reached = false;
        try
        {
            while (clusters.Count < options.MaxClusters)
            {
                var batch = Math.Min(options.BatchSize, options.MaxClusters - clusters.Count);
                var fleet = await KubeSimFleet.StartAsync(batch, i => new KubeSimOptions
                {
                    Name = $"bench-{clusters.Count + i}",
                    Nodes = options.NodesPerCluster,
                    SeedPods = options.PodsPerCluster,
                }, parallelism: Environment.ProcessorCount * 2);
                clusters.AddRange(fleet.Clusters);
                await WaitUntilRunning(fleet.Clusters, options.PodsPerCluster);
                var (workingSet, managed) = Measure();
                samples.Add(new Sample(clusters.Count, workingSet, managed, started.Elapsed));
                Console.WriteLine($"  {clusters.Count} clusters: {workingSet / 1048576.0:F0} MiB working set, {managed / 1048576.0:F0} MiB managed, {started.Elapsed.TotalSeconds:F0}s");
                if (workingSet > options.BudgetBytes) { reached = true; break; }
            }
            return new Result(samples, baseline.WorkingSet, options.BudgetBytes, reached, started.Elapsed / Math.Max(1, clusters.Count));
        }
        finally
        {
            await Parallel.ForEachAsync(clusters, async (c, _) => await c.DisposeAsync());
        }
    }

    internal static async Task WaitUntilRunning(IReadOnlyList<KubeSimCluster> clusters, int pods)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        foreach (var cluster in clusters)
            while (cluster.Objects.List("v1", "Pod", "default").Count(p => p["status"]?["phase"]?.GetValue<string>() == "Running") < pods)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{cluster.Name} did not run its pods");
                await Task.Delay(50);
            }
    }

    static (long WorkingSet, long Managed) Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(false));
    }
}
