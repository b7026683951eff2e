using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Benchmarks.ImageScanning;

/// <summary>
/// Issue 17: Trivy reports ingested through the path a scanner Job's report takes (bounded read into an ImageScan,
/// the record by digest updated, one history row, one transaction per report). Ceiling from the same run on the same
/// database: the same bytes parsed by plain System.Text.Json into typed records, and a bare Marten store of one
/// document holding those findings (equally sized), one transaction per report.
/// </summary>
public static class ScanIngestBenchmark
{
    public const string Usage = """
        scan-ingest options:
          --reports N           reports to ingest (500)
          --findings N          findings per report (200)
          --parallel N          reports stored at once (4)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    public static async Task<int> RunAsync(Arguments args)
    {
        var count = args.Int("reports", 500);
        var findings = args.Int("findings", 200);
        var parallel = args.Int("parallel", 4);
        var fastDb = args.Flag("fast-db");
        var reports = Enumerable.Range(0, count).Select(i => Report(i, findings)).ToList();
        var bytes = reports.Sum(r => (long)r.Json.Length);
        Console.WriteLine($"Scan ingest benchmark: {count} Trivy reports of {findings} findings ({bytes / count / 1024} KiB each), {parallel} at once; " +
                          $"{Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var app = new CocktailApp().WithDatabase(database.ConnectionString);
        await app.InitializeAsync();
        try
        {
            var store = app.Services.GetRequiredService<IDocumentStore>();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await store.Storage.Database.EnsureStorageExistsAsync(typeof(CeilingReport));
            // Warm-up (JIT, connections, Marten's compiled storage), on digests the measured runs do not touch.
            var warmUp = Enumerable.Range(count, 20).Select(i => Report(i, findings)).ToList();
            await RunAsync(warmUp, parallel, r => FigureAsync(store, r));
            await RunAsync(warmUp, parallel, r => CeilingAsync(store, r));

            var figure = await RunAsync(reports, parallel, r => FigureAsync(store, r));
            var ceiling = await RunAsync(reports, parallel, r => CeilingAsync(store, r));

            await using (var session = store.QuerySession())
            {
                var stored = await session.Query<ImageScanRecord>().CountAsync(r => r.Critical > 0);
                if (stored < count) throw new InvalidOperationException($"only {stored} of {count} records hold their scan");
            }
            Print("figure  (read + Record + history)", count, findings, figure);
            Print("ceiling (plain STJ + bare Marten store)", count, findings, ceiling);
            Console.WriteLine($"ratio figure/ceiling: {ceiling.TotalSeconds / figure.TotalSeconds:P0} of the ceiling's rate");
            return 0;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    static void Print(string what, int count, int findings, TimeSpan elapsed) =>
        Console.WriteLine($"{what,-42} {count / elapsed.TotalSeconds,8:0.0} reports/s {count * (long)findings / elapsed.TotalSeconds,10:0} findings/s ({elapsed.TotalSeconds:0.00} s)");

    static async Task<TimeSpan> RunAsync(IReadOnlyList<Sample> samples, int parallel, Func<Sample, Task> ingest)
    {
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(samples, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (sample, _) => await ingest(sample));
        return watch.Elapsed;
    }

    /// <summary>What RecordScanOutcome does with a report it read from a scanner's log.</summary>
    static async Task FigureAsync(IDocumentStore store, Sample sample)
    {
        var at = DateTimeOffset.UtcNow;
        var reading = TrivyReportReader.Read(sample.Json, sample.Repository, sample.Digest, at);
        if (!reading.Succeeded) throw new InvalidOperationException(reading.Failure.Reason);
        await using var session = store.LightweightSession();
        await ScanRecording.RecordAsync(session, sample.Digest, sample.Repository, null, reading, ScanSource.Job, at, CancellationToken.None);
        await session.SaveChangesAsync();
    }

    static async Task CeilingAsync(IDocumentStore store, Sample sample)
    {
        var report = JsonSerializer.Deserialize<PlainReport>(sample.Json)!;
        await using var session = store.LightweightSession();
        session.Store(new CeilingReport { Id = sample.Digest, Findings = report.Results.SelectMany(r => r.Vulnerabilities ?? []).ToList() });
        await session.SaveChangesAsync();
    }

    public sealed record Sample(string Repository, string Digest, byte[] Json);

    public sealed record PlainFinding(string VulnerabilityID, string PkgName, string InstalledVersion, string? FixedVersion, string Severity, string? Title,
        string? PrimaryURL);

    public sealed record PlainResult(string Target, List<PlainFinding>? Vulnerabilities);

    public sealed record PlainReport(int SchemaVersion, string ArtifactName, List<PlainResult> Results);

    public sealed class CeilingReport
    {
        public string Id { get; set; } = "";
        public List<PlainFinding> Findings { get; set; } = [];
    }

    static string Digest(string seed) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));

    /// <summary>A report as Trivy prints it for an image with <paramref name="findings"/> findings in two results (OS packages and a language).</summary>
    static Sample Report(int i, int findings)
    {
        var repository = $"bench/app-{i % 50}";
        var digest = Digest($"scan-ingest {i}");
        string[] severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
        JsonArray Findings(int from, int to) => new(Enumerable.Range(from, to - from).Select(j => (JsonNode)new JsonObject
        {
            ["VulnerabilityID"] = $"CVE-20{20 + j % 5}-{10000 + j}", ["PkgID"] = $"pkg-{j}@1.{j}.0", ["PkgName"] = $"pkg-{j}", ["InstalledVersion"] = $"1.{j}.0",
            ["FixedVersion"] = j % 3 == 0 ? null : $"1.{j}.1", ["Status"] = j % 3 == 0 ? "affected" : "fixed", ["SeveritySource"] = "nvd",
            ["PrimaryURL"] = $"https://avd.aquasec.com/nvd/cve-20{20 + j % 5}-{10000 + j}",
            ["Title"] = $"pkg-{j}: a vulnerability described at some length so that the report is as large as Trivy's are",
            ["Description"] = "A longer description of the issue, as Trivy copies it from the advisory, which Cocktail does not keep but must read past.",
            ["Severity"] = severities[(j + i) % severities.Length],
            ["CVSS"] = new JsonObject { ["nvd"] = new JsonObject { ["V3Vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["V3Score"] = 9.8 } },
        }).ToArray());
        var json = new JsonObject
        {
            ["SchemaVersion"] = 2, ["ArtifactName"] = $"registry.bench/{repository}@{digest}", ["ArtifactType"] = "container_image",
            ["Metadata"] = new JsonObject { ["RepoDigests"] = new JsonArray($"registry.bench/{repository}@{digest}") },
            ["Results"] = new JsonArray(
                new JsonObject { ["Target"] = "app (alpine 3.20.3)", ["Class"] = "os-pkgs", ["Type"] = "alpine", ["Vulnerabilities"] = Findings(0, findings / 2) },
                new JsonObject { ["Target"] = "app/package-lock.json", ["Class"] = "lang-pkgs", ["Type"] = "npm", ["Vulnerabilities"] = Findings(findings / 2, findings) }),
        };
        // Every report has at least one Critical finding, which the check after the run counts on.
        json["Results"]![0]!["Vulnerabilities"]![0]!["Severity"] = "CRITICAL";
        return new Sample(repository, digest, JsonSerializer.SerializeToUtf8Bytes(json));
    }
}
