using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Alerts.Evaluating;
using Cocktail.Application.Monitoring.Charting;
using Cocktail.Domain.Monitoring.Charts;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Cocktail.Benchmarks.Monitoring;

/// <summary>
/// Issue 14: monitoring and alerts at fleet scale, against the real Prometheus. One Prometheus holds N series of
/// history backfilled with <c>promtool</c>; every simulated cluster reaches it through its API server's service proxy,
/// as a cluster reaches its own Prometheus. Measures, each beside the same work without Cocktail: a 7-day chart
/// (ceiling: the same PromQL sent straight to Prometheus), one evaluation of every rule on every cluster (ceiling: the
/// same queries straight to Prometheus, one after the other), and a condition becoming true to its webhook delivery
/// (ceiling: one bare POST of the same body to the same receiver); and Cocktail's CPU and memory meanwhile.
/// </summary>
public static class MonitoringBenchmark
{
    public const string Usage = """
        monitoring options:
          --clusters N          simulated clusters, each with its Prometheus Service (50)
          --rules N             platform rules, each evaluated on every cluster (10)
          --rounds N            timed evaluations of every rule (20)
          --series N            series of history for the chart (1000), --days N (7), --interval S seconds between samples (60)
          --chart-queries N     timed 7-day chart queries (40)
          --deliveries N        timed condition-to-webhook trials (10)
          --only PARTS          charts, evaluations and/or deliveries, comma-separated (all)
        """;

    private static readonly string[] RuleExpressions =
    [
        "vector(1) > 0",
        "absent(bench_never_exported_metric)",
        "up == 0",
        "sum(rate(container_cpu_usage_seconds_total[5m])) > 1e9",
        "count(container_cpu_usage_seconds_total) < 0",
        "max_over_time(container_cpu_usage_seconds_total[5m]) < 0",
        "sum by (namespace) (rate(container_cpu_usage_seconds_total[10m])) > 1e6",
        "topk(3, rate(container_cpu_usage_seconds_total[10m])) < 0",
        "vector(time()) < 0",
        "sum by (pod) (container_cpu_usage_seconds_total offset 1h) < 0",
    ];

    public static async Task<int> RunAsync(Arguments args)
    {
        if (!PrometheusServer.Available || !File.Exists("/usr/bin/promtool"))
        {
            Console.WriteLine($"Monitoring benchmark skipped: {PrometheusServer.MissingReason} (and promtool)");
            return 1;
        }
        var clusters = args.Int("clusters", 50);
        var rules = Math.Min(args.Int("rules", 10), RuleExpressions.Length);
        var rounds = args.Int("rounds", 20);
        var series = args.Int("series", 1000);
        var days = args.Int("days", 7);
        var interval = args.Int("interval", 60);
        var chartQueries = args.Int("chart-queries", 40);
        var deliveries = args.Int("deliveries", 10);
        var only = (args.String("only") ?? "charts,evaluations,deliveries").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool Runs(string part) => only.Contains(part, StringComparer.Ordinal);
        Console.WriteLine($"Monitoring benchmark: {clusters} clusters × {rules} rules, {rounds} evaluations; chart over {series} series × {days} d " +
                          $"(a sample every {interval} s); {deliveries} deliveries; parts: {string.Join(", ", only)}; {Environment.ProcessorCount} CPUs; " +
                          $".NET {Environment.Version}; load average {LoadAverage()}");

        var work = Directory.CreateTempSubdirectory("cocktail-monitoring-bench-");
        try
        {
            if (Runs("charts"))
            {
                var backfill = Stopwatch.StartNew();
                var samples = await BackfillAsync(work.FullName, series, days, interval);
                Console.WriteLine($"  backfilled {samples:N0} samples with promtool in {backfill.Elapsed.TotalSeconds:0} s");
            }

            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusSettings
            {
                StoragePath = Path.Combine(work.FullName, "tsdb"), Retention = TimeSpan.FromDays(days + 2),
            });
            await using var receiver = await Receiver.StartAsync();
            var app = new CocktailApp().WithSetting("Cocktail:Inventory:Enabled", "false").WithSetting("Cocktail:Alerts:Enabled", "false");
            await app.InitializeAsync();
            var sims = new List<KubeSimCluster>();
            try
            {
                using var admin = await app.AsAdminAsync();
                var ids = new List<string>();
                for (var i = 0; i < clusters; i++)
                {
                    var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"mon-{i:D3}", Nodes = 1 });
                    sims.Add(sim);
                    sim.ExposeService(MonitoredCluster.ServiceNamespace, MonitoredCluster.ServiceName, MonitoredCluster.ServicePort, prometheus.Address);
                    var id = await BenchApi.RegisterClusterAsync(admin, sim);
                    await PutAsync(admin, $"/api/v1/clusters/{id}/monitoring", new
                    {
                        source = "ServiceProxy", serviceNamespace = MonitoredCluster.ServiceNamespace, serviceName = MonitoredCluster.ServiceName,
                        serviceScheme = "http", servicePort = MonitoredCluster.ServicePort,
                    });
                    ids.Add(id);
                }

                if (Runs("charts")) await ChartsAsync(admin, app, prometheus, ids[0], chartQueries);

                var bus = app.Services.GetRequiredService<IMessageBus>();
                if (Runs("evaluations"))
                {
                    for (var r = 0; r < rules; r++)
                        await BenchApi.PostAsync(admin, "/api/v1/alert-rules", new { name = $"bench rule {r}", expression = RuleExpressions[r], severity = "Info" });
                    await EvaluationsAsync(bus, prometheus, rules, clusters, rounds);
                }

                if (Runs("deliveries")) await DeliveriesAsync(admin, bus, receiver, deliveries, clusters);
                Console.WriteLine($"  load average at the end {LoadAverage()}");
            }
            finally
            {
                foreach (var sim in sims) await sim.DisposeAsync();
                await app.DisposeAsync();
            }
            return 0;
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>OpenMetrics counters like cAdvisor's, one family, written then turned into TSDB blocks by promtool.</summary>
    private static async Task<long> BackfillAsync(string folder, int series, int days, int interval)
    {
        var file = Path.Combine(folder, "history.om");
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / interval * interval - interval;
        var start = end - days * 86_400L;
        long samples = 0;
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            await writer.WriteAsync("# TYPE container_cpu_usage_seconds_total counter\n");
            for (var s = 0; s < series; s++)
            {
                var labels = $"{{namespace=\"team-{s % 20}\",pod=\"pod-{s}\",container=\"app\"}}";
                var perSecond = 0.05 + s % 7 * 0.1;
                var value = 0d;
                for (var t = start; t <= end; t += interval)
                {
                    value += perSecond * interval;
                    await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"container_cpu_usage_seconds_total{labels} {value:0.###} {t}\n"));
                    samples++;
                }
            }
            await writer.WriteAsync("# EOF\n");
        }
        using var promtool = Process.Start(new ProcessStartInfo("/usr/bin/promtool",
            ["tsdb", "create-blocks-from", "openmetrics", file, Path.Combine(folder, "tsdb")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        if (promtool.ExitCode != 0) throw new InvalidOperationException($"promtool failed: {await errors}{await output}");
        File.Delete(file);
        return samples;
    }

    /// <summary>
    /// A first look (the chart cache emptied before each: every day asked of Prometheus, several at once) and a repeated
    /// look (the cache as the first look left it: only the minutes since are asked), each beside the same PromQL, range and
    /// step sent straight to Prometheus as one query.
    /// </summary>
    private static async Task ChartsAsync(HttpClient admin, CocktailApp app, PrometheusServer prometheus, string clusterId, int queries)
    {
        using var direct = new HttpClient { BaseAddress = prometheus.Address };
        var cache = app.Services.GetRequiredService<ChartResultsCache>();
        var first = new List<double>();
        var repeat = new List<double>();
        var ceiling = new List<double>();
        var bytes = 0;
        var load = LoadAverage();
        for (var i = 0; i < queries + 3; i++)
        {
            cache.Clear();
            var (t, body) = await TimedChartAsync(admin, clusterId);
            bytes = body.Length;
            var (again, repeated) = await TimedChartAsync(admin, clusterId);
            if (!repeated.Contains("\"team-0\"", StringComparison.Ordinal)) throw new InvalidOperationException("The repeated chart lost its lines: " + repeated[..Math.Min(300, repeated.Length)]);

            // The same PromQL, range and step the chart uses, straight to Prometheus.
            var (range, _) = ChartRange.Resolve("7d", null, null, DateTimeOffset.UtcNow);
            var query = ChartCatalog.All.First(c => c.Name == "cpu").Query(ChartTarget.Cluster(null), range!);
            var url = string.Create(CultureInfo.InvariantCulture,
                $"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={range!.Start.ToUnixTimeSeconds()}&end={range.End.ToUnixTimeSeconds()}&step={(long)range.Step.TotalSeconds}");
            var started = Stopwatch.GetTimestamp();
            var bare = await direct.GetStringAsync(url);
            var b = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!bare.Contains("\"team-0\"", StringComparison.Ordinal)) throw new InvalidOperationException("Prometheus answered no history: " + bare[..Math.Min(300, bare.Length)]);
            if (i < 3) continue;
            first.Add(t);
            repeat.Add(again);
            ceiling.Add(b);
        }
        var c95 = Percentiles.Of(ceiling, 95);
        Console.WriteLine($"  7-day CPU chart of a cluster ({bytes:N0} bytes of JSON; n = {queries}; load average before {load}, after {LoadAverage()}; target p95 ≤ 500 ms):");
        Console.WriteLine($"    first look (cache emptied): p95 {Ceilings.Ms(Percentiles.Of(first, 95))} vs {Ceilings.Ms(c95)} for the same query straight to " +
                          $"Prometheus ({Percentiles.Of(first, 95) / c95:0.00}×); {Ceilings.Latency(first, ceiling)}");
        Console.WriteLine($"    repeated look (cached days, fresh minutes asked): p95 {Ceilings.Ms(Percentiles.Of(repeat, 95))} vs {Ceilings.Ms(c95)} " +
                          $"straight to Prometheus ({Percentiles.Of(repeat, 95) / c95:0.00}×); {Ceilings.Latency(repeat, ceiling)}");
    }

    private static async Task<(double Millis, string Body)> TimedChartAsync(HttpClient admin, string clusterId)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await admin.GetAsync($"/api/v1/clusters/{clusterId}/metrics/cpu?range=7d");
        var body = await response.Content.ReadAsStringAsync();
        var t = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"chart: {(int)response.StatusCode} {body}");
        return (t, body);
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): this machine is shared, figures depend on it.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static async Task EvaluationsAsync(IMessageBus bus, PrometheusServer prometheus, int rules, int clusters, int rounds)
    {
        var before = ProcessSnapshot.Take();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var took = new List<double>();
        AlertEvaluationResult? last = null;
        for (var i = 0; i < rounds + 2; i++)
        {
            var started = Stopwatch.GetTimestamp();
            last = await bus.InvokeAsync<AlertEvaluationResult>(new EvaluateAlertRules(), CancellationToken.None, TimeSpan.FromMinutes(5));
            var t = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (i >= 2) took.Add(t);
        }
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / wall.Elapsed.TotalMilliseconds * 100;
        var after = ProcessSnapshot.Take();

        // Ceiling: the same rules × clusters instant queries straight to Prometheus, one after the other.
        using var direct = new HttpClient { BaseAddress = prometheus.Address };
        var bare = new List<double>();
        for (var i = 0; i < Math.Min(rounds, 5); i++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var c = 0; c < clusters; c++)
                for (var r = 0; r < rules; r++)
                    await direct.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(RuleExpressions[r])}");
            bare.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        Console.WriteLine($"  one evaluation of {rules} rules on {clusters} clusters ({last!.Conditions} conditions true; n = {rounds}): " +
                          $"p99 {Ceilings.Ms(Percentiles.Of(took, 99))} vs {Ceilings.Ms(Percentiles.Of(bare, 99))} for the same {rules * clusters} queries straight " +
                          $"to Prometheus ({Percentiles.Of(took, 99) / Percentiles.Of(bare, 99):0.0}×); an evaluation every 30 s lags by at most this " +
                          $"(target ≤ 5 s); {Ceilings.Latency(took, bare)}");
        Console.WriteLine($"  while evaluating back to back: this process (Cocktail and the {clusters} simulated API servers) used {cpu:0} % of one core; " +
                          $"working set {ProcessSnapshot.Mib(after.WorkingSetBytes)} ({ProcessSnapshot.Mib(after.WorkingSetBytes - before.WorkingSetBytes)} more than before)");
    }

    private static async Task DeliveriesAsync(HttpClient admin, IMessageBus bus, Receiver receiver, int trials, int clusters)
    {
        var channel = await BenchApi.PostAsync(admin, "/api/v1/platform/notification-channels", new { name = "bench-hook", type = "Webhook", url = receiver.Url });
        var channelId = (string)channel["channel"]!["id"]!;
        await BenchApi.PostAsync(admin, "/api/v1/platform/notification-routes", new { name = "bench", channelIds = new[] { channelId }, groupWaitSeconds = 0 });
        var times = new List<double>();
        var everyCluster = new List<double>();
        var missing = 0;
        var names = Enumerable.Range(0, clusters).Select(c => $"mon-{c:D3}").ToList();
        string? sampleBody = null;
        for (var i = 0; i < trials; i++)
        {
            var name = $"bench fire {i}";
            await BenchApi.PostAsync(admin, "/api/v1/alert-rules", new { name, expression = "vector(1) > 0", severity = "Critical" });
            await bus.InvokeAsync<AlertEvaluationResult>(new EvaluateAlertRules(), CancellationToken.None, TimeSpan.FromMinutes(5));
            var evaluated = DateTimeOffset.UtcNow;
            var arrived = await receiver.WaitForAsync(name, TimeSpan.FromSeconds(60));
            times.Add((arrived.At - evaluated).TotalMilliseconds);
            sampleBody ??= arrived.Body;
            // The rule fired on every cluster: each cluster's alert must reach the receiver (grouped or not).
            var (last, unseen) = await receiver.WaitForEachAsync(name, names, TimeSpan.FromSeconds(60));
            if (unseen.Count > 0) missing += unseen.Count;
            else everyCluster.Add((last - evaluated).TotalMilliseconds);
        }
        using var bare = new HttpClient();
        var ceiling = new List<double>();
        for (var i = 0; i < trials; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await bare.PostAsync(receiver.Url, new StringContent(sampleBody!, Encoding.UTF8, "application/json"));
            ceiling.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        Console.WriteLine($"  condition seen by an evaluation to its webhook delivery ({clusters} clusters, so {clusters} alerts per trial; n = {trials}): p99 {Ceilings.Ms(Percentiles.Of(times, 99))} vs " +
                          $"{Ceilings.Ms(Percentiles.Of(ceiling, 99))} for one bare POST of the same body ({Percentiles.Of(times, 99) / Percentiles.Of(ceiling, 99):0.0}×; " +
                          $"target ≤ 2 s); {Ceilings.Latency(times, ceiling)}");
        Console.WriteLine(everyCluster.Count > 0
            ? $"    until the alert of every one of the {clusters} clusters was delivered: p99 {Ceilings.Ms(Percentiles.Of(everyCluster, 99))} " +
              $"({everyCluster.Count} of {trials} trials complete; {missing} cluster alerts never arrived within 60 s)"
            : $"    no trial delivered every cluster's alert within 60 s ({missing} cluster alerts missing)");
    }

    private static async Task PutAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A webhook receiver on 127.0.0.1 that notes when each body arrived.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(DateTimeOffset At, string Body)> _received = new();
        private readonly Task _loop;

        private Receiver(int port)
        {
            Url = $"http://127.0.0.1:{port}/hook";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public static Task<Receiver> StartAsync()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return Task.FromResult(new Receiver(port));
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                _received.Enqueue((DateTimeOffset.UtcNow, body));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public async Task<(DateTimeOffset At, string Body)> WaitForAsync(string text, TimeSpan timeout)
        {
            var until = Stopwatch.StartNew();
            while (until.Elapsed < timeout)
            {
                foreach (var r in _received)
                    if (r.Body.Contains(text, StringComparison.Ordinal)) return r;
                await Task.Delay(5);
            }
            throw new TimeoutException($"No webhook mentioned '{text}' within {timeout.TotalSeconds:0} s.");
        }

        /// <summary>When the last of <paramref name="clusters"/> was named in a body mentioning <paramref name="text"/>, and those never named.</summary>
        public async Task<(DateTimeOffset Last, IReadOnlyList<string> Unseen)> WaitForEachAsync(string text, IReadOnlyList<string> clusters, TimeSpan timeout)
        {
            var until = Stopwatch.StartNew();
            var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            while (true)
            {
                foreach (var r in _received)
                    if (r.Body.Contains(text, StringComparison.Ordinal))
                        foreach (var cluster in clusters)
                            if (!seen.ContainsKey(cluster) && r.Body.Contains($"\"{cluster}\"", StringComparison.Ordinal)) seen[cluster] = r.At;
                if (seen.Count == clusters.Count || until.Elapsed >= timeout)
                    return (seen.Count == 0 ? DateTimeOffset.MinValue : seen.Values.Max(), clusters.Where(c => !seen.ContainsKey(c)).ToList());
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            try { await _loop; } catch (ObjectDisposedException) { }
        }
    }
}
