namespace Cocktail.KubeSim;

/// <summary>
/// <c>dotnet run --project tests/Cocktail.KubeSim -- --clusters 3 --out DIR [--nodes N] [--pods N] [--port-base P]</c>:
/// starts simulated clusters, writes DIR/&lt;name&gt;.kubeconfig for each and serves until Ctrl+C.
/// </summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var clusters = IntArg(args, "--clusters", 1);
        var nodes = IntArg(args, "--nodes", 3);
        var pods = IntArg(args, "--pods", 0);
        var portBase = IntArg(args, "--port-base", 0);
        var outDir = StringArg(args, "--out") ?? Path.Combine(Directory.GetCurrentDirectory(), "kubesim");
        var prefix = StringArg(args, "--name") ?? "kubesim";
        Directory.CreateDirectory(outDir);
        await using var fleet = await KubeSimFleet.StartAsync(clusters, i => new KubeSimOptions
        {
            Name = clusters == 1 ? prefix : $"{prefix}-{i + 1}",
            Nodes = nodes,
            SeedPods = pods,
            Port = portBase == 0 ? 0 : portBase + i,
        });
        foreach (var cluster in fleet.Clusters)
        {
            var path = Path.Combine(outDir, $"{cluster.Name}.kubeconfig");
            cluster.WriteKubeconfig(path);
            Console.WriteLine($"{cluster.Name}\t{cluster.Server}\t{path}");
        }
        Console.WriteLine("Serving; press Ctrl+C to stop.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        return 0;
    }

    static int IntArg(string[] args, string name, int fallback) =>
        StringArg(args, name) is { } v && int.TryParse(v, out var n) ? n : fallback;

    static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
