using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Cocktail.KubeSim.Benchmarks;

/// <summary>
/// Latency of list and watch calls under load, over HTTPS: concurrent clients list the 50 pods of a cluster
/// (timed until the whole body arrived) while watchers open watches (timed until the initial ADDED events of
/// all pods arrived) and a writer patches pods (timed until the MODIFIED event reaches a watcher).
/// </summary>
public static class LatencyBenchmark
{
    public sealed record Result(int Clusters, int Clients, int Watchers, TimeSpan Duration, List<double> ListMs, List<double> WatchStartMs, List<double> WatchDeliveryMs, long Requests, long Bytes,
        BareKestrel.Result Ceiling)
    {
        static double Percentile(List<double> values, double p)
        {
            if (values.Count == 0) return double.NaN;
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
        }

        public void Print()
        {
            Console.WriteLine();
            Console.WriteLine("== Latency under load ==");
            Console.WriteLine($"{Clusters} clusters, {Clients} concurrent list clients, {Watchers} watches, {Duration.TotalSeconds:F0}s: {Requests / Duration.TotalSeconds:F0} lists/s, {Bytes / Duration.TotalSeconds / 1048576:F0} MiB/s");
            Console.WriteLine($"{"call",-46} {"n",7} {"p50 ms",8} {"p99 ms",8}");
            void Row(string name, List<double> v) => Console.WriteLine($"{name,-46} {v.Count,7} {Percentile(v, 0.5),8:F1} {Percentile(v, 0.99),8:F1}");
            Row("list pods (50 items)", ListMs);
            Row("watch start (request to 50 initial ADDED)", WatchStartMs);
            Row("watch delivery (write to MODIFIED received)", WatchDeliveryMs);
            Console.WriteLine($"Ceiling, same run: {Clients} clients fetching the same {Ceiling.BodyBytes / 1024} KiB from a bare Kestrel over HTTPS (no KubeSim), {Ceiling.Duration.TotalSeconds:F0}s:");
            Row("bare fetch (ceiling)", Ceiling.Ms);
            Console.WriteLine($"list pods vs ceiling: p50 {Percentile(ListMs, 0.5) / Percentile(Ceiling.Ms, 0.5):F1}×, p99 {Percentile(ListMs, 0.99) / Percentile(Ceiling.Ms, 0.99):F1}×; " +
                              $"{Requests / Duration.TotalSeconds:F0} lists/s vs {Ceiling.PerSecond:F0}/s ({Requests / Duration.TotalSeconds / Ceiling.PerSecond:P0} of the ceiling, " +
                              $"which has no watches or writes running beside it)");
        }
    }

    public static async Task<Result> RunAsync(BenchmarkOptions options)
    {
        await using var fleet = await KubeSimFleet.StartAsync(options.LoadClusters, i => new KubeSimOptions
        {
            Name = $"load-{i}", Nodes = options.NodesPerCluster, SeedPods = options.PodsPerCluster,
        });
        var connections = fleet.Clusters.Select(c => new ApiConnection(c)).ToList();
        await CapacityBenchmark.WaitUntilRunning(fleet.Clusters, options.PodsPerCluster);
        const string PodsPath = "/api/v1/namespaces/default/pods";
        // Warm-up: JIT and TLS connections, outside the measured window.
        await Parallel.ForEachAsync(connections, async (c, _) => { for (var i = 0; i < 5; i++) await c.Http.GetByteArrayAsync(PodsPath); });

        var listMs = new ConcurrentBag<double>();
        var watchStartMs = new ConcurrentBag<double>();
        var deliveryMs = new ConcurrentBag<double>();
        long requests = 0, bytes = 0;
        var sent = new ConcurrentDictionary<string, long>();
        using var stop = new CancellationTokenSource(options.LoadDuration);

        // Watchers start spread over the first half of the run, as informers of many consumers would.
        var stagger = options.LoadDuration / 2 / Math.Max(1, options.Watchers);
        var watchers = Enumerable.Range(0, options.Watchers).Select(w => Task.Run(async () =>
        {
            var http = connections[w % connections.Count].Http;
            try
            {
                await Task.Delay(stagger * w, stop.Token);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync($"{PodsPath}?watch=1&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead, stop.Token);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token), Encoding.UTF8);
                var added = 0;
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal) && ++added == options.PodsPerCluster)
                        watchStartMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    var marker = line.IndexOf("\"bench/sent\":\"", StringComparison.Ordinal);
                    if (marker > 0 && line.StartsWith("{\"type\":\"MODIFIED\"", StringComparison.Ordinal))
                    {
                        var key = line[(marker + 14)..line.IndexOf('"', marker + 14)];
                        if (sent.TryGetValue(key, out var at)) deliveryMs.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
        })).ToList();

        var writer = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"w{n}";
                var body = new StringContent($"{{\"metadata\":{{\"annotations\":{{\"bench/sent\":\"{key}\"}}}}}}", Encoding.UTF8, "application/merge-patch+json");
                sent[key] = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await connections[n % connections.Count].Http.PatchAsync($"{PodsPath}/pod-{n % options.PodsPerCluster}", body, stop.Token);
                    await Task.Delay(20, stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
            }
        });

        var listers = Enumerable.Range(0, options.ConcurrentClients).Select(c => Task.Run(async () =>
        {
            for (var i = c; !stop.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var body = await connections[i % connections.Count].Http.GetByteArrayAsync(PodsPath, stop.Token);
                    listMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref requests);
                    Interlocked.Add(ref bytes, body.Length);
                }
                catch (OperationCanceledException) { }
            }
        })).ToList();

        await Task.WhenAll(listers);
        await writer;
        await Task.WhenAll(watchers);
        var sample = await connections[0].Http.GetByteArrayAsync(PodsPath);
        foreach (var c in connections) c.Dispose();
        var ceiling = await BareKestrel.RunAsync(sample, options.ConcurrentClients, TimeSpan.FromSeconds(Math.Min(10, options.LoadDuration.TotalSeconds)));
        return new Result(options.LoadClusters, options.ConcurrentClients, options.Watchers, options.LoadDuration,
            listMs.ToList(), watchStartMs.ToList(), deliveryMs.ToList(), requests, bytes, ceiling);
    }
}
