using Cocktail.Benchmarks;
using Cocktail.Benchmarks.Access;
using Cocktail.Benchmarks.Builds;
using Cocktail.Benchmarks.Charts;
using Cocktail.Benchmarks.Chaos;
using Cocktail.Benchmarks.ImageScanning;
using Cocktail.Benchmarks.ImageGate;
using Cocktail.Benchmarks.Inventory;
using Cocktail.Benchmarks.Logs;
using Cocktail.Benchmarks.Monitoring;
using Cocktail.Benchmarks.Pipelines;
using Cocktail.Benchmarks.Provisioning;
using Cocktail.Benchmarks.Reconcile;
using Cocktail.Benchmarks.Registry;
using Cocktail.Benchmarks.Releases;
using Cocktail.Benchmarks.Workloads;

// WebApplicationFactory finds the web app's content root through MvcTestingAppManifest.json in the current
// folder; `dotnet run` starts wherever it is called from.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);
// The tests' log capture (every Debug line, scanned for secrets) would slow what is measured.
Cocktail.Testing.CocktailApp.CaptureLogs = false;

// One console harness, one subcommand per benchmark: `dotnet run -c Release --project tests/Benchmarks/Cocktail.Benchmarks -- <name> [options]`.
var benchmarks = new Dictionary<string, (string About, Func<Arguments, Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["inventory"] = ("time to full inventory of N simulated clusters, memory, pod change to read model delay (issue 4)", InventoryBenchmark.RunAsync),
    ["reconcile"] = ("service map API call to Ready, one at a time (p50/p99), and a burst over many clusters until all Ready (issue 5)", ReconcileBenchmark.RunAsync),
    ["audit-ingest"] = ("Kubernetes audit events/s stored from batches of 400 posted by several senders, p99 batch acknowledgement (issue 6)", AuditIngestBenchmark.RunAsync),
    ["revocation"] = ("revoke command to the token refused (401) on N clusters, p50/p99 (issue 6)", RevocationBenchmark.RunAsync),
    ["audit-search"] = ("p95 of filtered Kubernetes audit searches over millions of stored records (issue 6)", AuditSearchBenchmark.RunAsync),
    ["deploy"] = ("deploy API call to rollout Available, one at a time (p50/p99), and policy evaluation of 1,000 workloads (issue 7)", DeployBenchmark.RunAsync),
    ["chaos"] = ("2 replica processes, mixed commands, SIGKILLs: acknowledged vs applied, duplicates, takeover time (issue 10)", ChaosBenchmark.RunAsync),
    ["logs"] = ("log lines/s stored, workload + word search p95 over N lines in 24 h, tail latency p99, bytes per line (issue 15)", LogsBenchmark.RunAsync),
    ["monitoring"] = ("7-day chart p95, evaluation of every rule on N clusters p99, condition to webhook p99, CPU and memory (issue 14)", MonitoringBenchmark.RunAsync),
    ["registry-token"] = ("registry token issuance p50/p99 at 200 requests/s as a robot, vs an authenticated API GET and signing alone (issue 16)", RegistryTokenBenchmark.RunAsync),
    ["admission"] = ("image gate AdmissionReview latency p50/p99 at 200 reviews/s over HTTPS, vs an empty GET on the same listener (issue 17)", AdmissionBenchmark.RunAsync),
    ["builds"] = ("N builds on KubeSim pushing to the real registry: Job completion to BuildSucceeded p50/p99, vs watch delivery + Marten append (issue 16)", BuildsBenchmark.RunAsync),
    ["pipelines"] = ("N pipelines at once, dev → staging: a step's rollout Available to the next step's revision committed p50/p99, vs 2 bare commits (issue 18)", PipelinesBenchmark.RunAsync),
    ["provisioning"] = ("N clusters provisioning at once through Cluster API: a condition heard on a watch to ClusterConditionChanged committed p50/p99, vs watch delivery + Marten append (issue 19)", ProvisioningBenchmark.RunAsync),
    ["catalog"] = ("catalog search p95 over N chart versions through the API, vs the same SQL run bare on the same rows (issue 20)", CatalogBenchmark.RunAsync),
    ["addons"] = ("a fleet upgrade of an addon on N clusters with Flux: request to HelmRelease applied on each, all N (target ≤ 30 s), vs bare server-side apply (issue 20)", AddonsBenchmark.RunAsync),
    ["scan-ingest"] = ("Trivy reports/s and findings/s stored by digest with history, vs plain System.Text.Json + a bare Marten store (issue 17)", ScanIngestBenchmark.RunAsync),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.WriteLine("usage: Cocktail.Benchmarks <benchmark> [options]");
    foreach (var (name, (about, _)) in benchmarks) Console.WriteLine($"  {name,-12} {about}");
    Console.WriteLine();
    Console.WriteLine(InventoryBenchmark.Usage);
    Console.WriteLine(ReconcileBenchmark.Usage);
    Console.WriteLine(AuditIngestBenchmark.Usage);
    Console.WriteLine(RevocationBenchmark.Usage);
    Console.WriteLine(AuditSearchBenchmark.Usage);
    Console.WriteLine(DeployBenchmark.Usage);
    Console.WriteLine(ChaosBenchmark.Usage);
    Console.WriteLine(LogsBenchmark.Usage);
    Console.WriteLine(MonitoringBenchmark.Usage);
    Console.WriteLine(RegistryTokenBenchmark.Usage);
    Console.WriteLine(BuildsBenchmark.Usage);
    Console.WriteLine(ScanIngestBenchmark.Usage);
    Console.WriteLine(AdmissionBenchmark.Usage);
    Console.WriteLine(PipelinesBenchmark.Usage);
    Console.WriteLine(ProvisioningBenchmark.Usage);
    Console.WriteLine(CatalogBenchmark.Usage);
    Console.WriteLine(AddonsBenchmark.Usage);
    return args.Length == 0 ? 0 : 2;
}
return await benchmark.Run(new Arguments(args[1..]));
