namespace Cocktail.KubeSim.Benchmarks;

public sealed record BenchmarkOptions
{
    public int NodesPerCluster { get; init; } = 5;
    public int PodsPerCluster { get; init; } = 50;
    /// <summary>Stop adding clusters here even if the memory budget is not reached (then extrapolate).</summary>
    public int MaxClusters { get; init; } = 600;
    public long BudgetBytes { get; init; } = 2L * 1024 * 1024 * 1024;
    public int BatchSize { get; init; } = 25;
    public int LoadClusters { get; init; } = 20;
    public int ConcurrentClients { get; init; } = 32;
    public int Watchers { get; init; } = 200;
    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(20);

    public static BenchmarkOptions Parse(string[] args)
    {
        int Int(string name, int fallback) => Array.IndexOf(args, name) is var i && i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        var defaults = new BenchmarkOptions();
        return defaults with
        {
            MaxClusters = Int("--max-clusters", defaults.MaxClusters),
            BudgetBytes = Int("--budget-mib", 2048) * 1024L * 1024,
            LoadClusters = Int("--load-clusters", defaults.LoadClusters),
            ConcurrentClients = Int("--clients", defaults.ConcurrentClients),
            Watchers = Int("--watchers", defaults.Watchers),
            LoadDuration = TimeSpan.FromSeconds(Int("--seconds", (int)defaults.LoadDuration.TotalSeconds)),
        };
    }
}
