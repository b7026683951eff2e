using System.Diagnostics;
using Cocktail.KubeSim;

namespace Cocktail.Benchmarks.Inventory;

public sealed record SimulatedCluster(string Name, string Kubeconfig);

/// <summary>
/// KubeSim clusters for the benchmark: in this process (KubeSimFleet), or in a child process of their own
/// (KubeSim's standalone host) so that this process's memory is Cocktail's alone.
/// </summary>
public abstract class SimulatedFleet : IAsyncDisposable
{
    public abstract IReadOnlyList<SimulatedCluster> Clusters { get; }
    public abstract string Where { get; }

    /// <summary>The simulator's own memory, where it can be told apart from this process's.</summary>
    public virtual string Memory() => "shared with this process";
    public abstract ValueTask DisposeAsync();

    public static async Task<SimulatedFleet> StartAsync(bool childProcess, int clusters, int nodes, int pods)
    {
        if (childProcess) return await ChildProcessFleet.StartAsync(clusters, nodes, pods);
        var fleet = await KubeSimFleet.StartAsync(clusters, i => new KubeSimOptions { Name = $"bench-{i + 1:D4}", Nodes = nodes, SeedPods = pods },
            parallelism: Math.Max(4, Environment.ProcessorCount * 2));
        return new InProcessFleet(fleet);
    }

    private sealed class InProcessFleet(KubeSimFleet fleet) : SimulatedFleet
    {
        public override IReadOnlyList<SimulatedCluster> Clusters { get; } =
            fleet.Clusters.Select(c => new SimulatedCluster(c.Name, c.AdminKubeconfigYaml)).ToList();
        public override string Where => "in this process";
        public override ValueTask DisposeAsync() => fleet.DisposeAsync();
    }

    private sealed class ChildProcessFleet(Process process, string folder, List<SimulatedCluster> clusters) : SimulatedFleet
    {
        public override IReadOnlyList<SimulatedCluster> Clusters => clusters;
        public override string Where => $"in a child process (pid {process.Id})";

        public override string Memory()
        {
            var status = File.ReadAllLines($"/proc/{process.Id}/status");
            string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "?";
            return $"resident {Field("VmRSS")}, {Field("Threads")} threads";
        }

        public static async Task<SimulatedFleet> StartAsync(int count, int nodes, int pods)
        {
            var folder = Directory.CreateTempSubdirectory("cocktail-bench-kubesim-").FullName;
            var host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Cocktail.KubeSim.exe" : "Cocktail.KubeSim");
            var start = new ProcessStartInfo(host, ["--clusters", count.ToString(), "--nodes", nodes.ToString(), "--pods", pods.ToString(),
                "--out", folder, "--name", "bench"])
            { RedirectStandardOutput = true, UseShellExecute = false };
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
            var clusters = new List<SimulatedCluster>();
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("Serving", StringComparison.Ordinal)) return new ChildProcessFleet(process, folder, clusters);
                var parts = line.Split('\t');
                if (parts.Length == 3) clusters.Add(new SimulatedCluster(parts[0], await File.ReadAllTextAsync(parts[2])));
            }
            throw new InvalidOperationException($"KubeSim's host ended before serving (exit code {(process.HasExited ? process.ExitCode : -1)}).");
        }

        public override async ValueTask DisposeAsync()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }
}
