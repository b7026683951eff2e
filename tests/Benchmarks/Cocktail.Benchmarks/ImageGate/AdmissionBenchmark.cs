using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Policies;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Benchmarks.ImageGate;

/// <summary>
/// Issue 17: the image gate's admission endpoint as a cluster's API server calls it, over HTTPS with the caBundle's
/// trust, paced at a fixed rate (open loop: each review's time counts from when it was due). The namespace is gated
/// (block critical, at most 5 high) and a few hundred digests have scans with tens of findings each; every pod names
/// one to three of them, by digest. Ceiling from the same run on the same listener: an empty GET (/healthz) at the
/// same rate, i.e. TLS, Kestrel and the client with nothing of the gate in between.
/// </summary>
public static class AdmissionBenchmark
{
    public const string Usage = """
        admission options:
          --rate N              AdmissionReviews per second (200)
          --seconds N           measured time (30), after --warmup-seconds N (5)
          --digests N           scanned digests (300)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    const string Registry = "registry.bench:5000";

    public static async Task<int> RunAsync(Arguments args)
    {
        var rate = args.Int("rate", 200);
        var seconds = args.Int("seconds", 30);
        var warmUp = args.Int("warmup-seconds", 5);
        var digestCount = args.Int("digests", 300);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Admission benchmark: {rate} AdmissionReviews/s over HTTPS for {seconds} s after {warmUp} s of warm-up, {digestCount} scanned digests; " +
                          $"{Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var app = new CocktailApp().WithDatabase(database.ConnectionString).WithSetting("Cocktail:Registry:Address", Registry);
        await app.InitializeAsync();
        try
        {
            var (clusterId, ns, digests) = await SeedAsync(app, digestCount);
            using var http = await ClientAsync(app);
            var random = new Random(17);
            var reviews = Enumerable.Range(0, 500).Select(i => Review(ns, Enumerable.Range(0, 1 + random.Next(3))
                .Select(_ => $"{Registry}/bench/app-{random.Next(digestCount)}@{digests[random.Next(digestCount)]}").ToList(), i).ToJsonString()).ToArray();
            var path = $"/api/v1/admission/clusters/{clusterId}/pods?timeout=5s";
            var counter = 0;
            HttpRequestMessage Admission() => new(HttpMethod.Post, path)
            {
                Content = new StringContent(reviews[Interlocked.Increment(ref counter) % reviews.Length], Encoding.UTF8, "application/json"),
            };
            HttpRequestMessage Health() => new(HttpMethod.Get, "/healthz");

            await PacedAsync(http, Admission, rate, TimeSpan.FromSeconds(warmUp));
            await PacedAsync(http, Health, rate, TimeSpan.FromSeconds(warmUp));
            var (admissions, admissionFailures, denied) = await PacedAsync(http, Admission, rate, TimeSpan.FromSeconds(seconds));
            var (healths, healthFailures, _) = await PacedAsync(http, Health, rate, TimeSpan.FromSeconds(seconds));

            Console.WriteLine($"  reviews:                {admissions.Count:N0} answered ({denied:N0} denied), {admissionFailures} failed");
            Console.WriteLine($"  admission latency:      p50 {Ceilings.Ms(Percentiles.Of(admissions, 50))}, p90 {Ceilings.Ms(Percentiles.Of(admissions, 90))}, " +
                              $"p99 {Ceilings.Ms(Percentiles.Of(admissions, 99))}, max {Ceilings.Ms(admissions.Max())} (target p99 ≤ 20 ms)");
            Console.WriteLine($"  ceiling, GET /healthz:  p50 {Ceilings.Ms(Percentiles.Of(healths, 50))}, p99 {Ceilings.Ms(Percentiles.Of(healths, 99))}, " +
                              $"{healthFailures} failed (same listener, same rate, nothing of the gate)");
            Console.WriteLine($"  admission vs ceiling:   {Ceilings.Latency(admissions, healths)}");
            var p99 = Percentiles.Of(admissions, 99);
            Console.WriteLine($"  verdict:                p99 {Ceilings.Ms(p99)} {(p99 <= 20 ? "meets" : "misses")} the 20 ms target");
            return admissionFailures == 0 ? 0 : 1;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>A gated service map's read models, scans and exceptions, stored as their projections and the scanning slice store them.</summary>
    static async Task<(Guid ClusterId, string Namespace, string[] Digests)> SeedAsync(CocktailApp app, int count)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var (clusterId, workspaceId, mapId, ns) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), "bench");
        var random = new Random(42);
        var digests = Enumerable.Range(0, count).Select(i => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();
        var now = DateTimeOffset.UtcNow;
        var severities = new[] { Severity.Low, Severity.Low, Severity.Medium, Severity.Medium, Severity.Medium, Severity.High, Severity.Unknown };
        await using (var session = store.LightweightSession())
        {
            session.Store(new ServiceMapView
            {
                Id = mapId, Name = ns, WorkspaceId = workspaceId, WorkspaceName = "bench", ClusterId = clusterId, ClusterName = "bench-cluster",
                Namespace = ns, CreatedAt = now, StatusSince = now, Status = Domain.Tenancy.ServiceMapStatus.Ready,
            });
            var actor = new ActorRef(Guid.Empty, "bench");
            session.Events.Append(PolicyStream.StreamIdFor(mapId), new SecurityPolicyChanged(mapId, PolicyScope.ServiceMap, SecurityPolicy.None,
                SecurityPolicy.None with { Images = new ImageScanPolicy(BlockCritical: true, MaxHigh: 5) }, actor, now));
            for (var i = 0; i < count; i++)
            {
                var findings = Enumerable.Range(0, 10 + random.Next(40)).Select(f => new Vulnerability($"CVE-20{20 + random.Next(6)}-{10000 + random.Next(80000)}",
                    $"pkg-{random.Next(200)}", "1.0.0", random.Next(2) == 0 ? "1.0.1" : null,
                    i % 10 == 0 && f == 0 ? Severity.Critical : severities[random.Next(severities.Length)])).ToList();
                var record = new ImageScanRecord { Id = digests[i] };
                record.Record(new ImageScan(digests[i], $"bench/app-{i}", now.AddHours(-random.Next(48)), findings), ScanSource.Job, now);
                record.Saw(new ScannedImageRef(Registry, $"bench/app-{i}", "1.0", workspaceId));
                session.Store(record);
            }
            for (var e = 0; e < 20; e++)
            {
                var id = Guid.CreateVersion7();
                session.Events.StartStream<VulnerabilityException>(id, new VulnerabilityExceptionGranted(id, workspaceId, "bench", $"CVE-2024-{20000 + e}",
                    $"bench/app-{e}", "accepted for the benchmark", now.AddDays(30), actor, now));
            }
            await session.SaveChangesAsync();
        }
        return (clusterId, ns, digests);
    }

    /// <summary>Keeps its connections, as an API server does, and trusts the listener only through the caBundle.</summary>
    static async Task<HttpClient> ClientAsync(CocktailApp app)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(await app.Services.GetRequiredService<IAdmissionCertificate>().CaBundlePemAsync(default));
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { BaseAddress = app.AdmissionAddress };
    }

    /// <summary>A Pod as the API server sends it: metadata, three containers' worth of spec, user info.</summary>
    static JsonObject Review(string ns, IReadOnlyList<string> images, int i) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(), ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["name"] = $"web-{i}", ["namespace"] = ns, ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller", ["groups"] = new JsonArray("system:serviceaccounts") },
            ["object"] = new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"web-{i}", ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "web", ["pod-template-hash"] = "5d8f7c9b6" },
                    ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web-5d8f7c9b6", ["uid"] = Guid.NewGuid().ToString() }),
                },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(images.Select((image, c) => (JsonNode)new JsonObject
                    {
                        ["name"] = $"c{c}", ["image"] = image, ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080 + c }),
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" }, ["limits"] = new JsonObject { ["memory"] = "128Mi" } },
                        ["env"] = new JsonArray(new JsonObject { ["name"] = "MODE", ["value"] = "production" }),
                    }).ToArray()),
                    ["serviceAccountName"] = "default", ["restartPolicy"] = "Always",
                },
            },
        },
    };

    static async Task<(List<double> Millis, int Failures, int Denied)> PacedAsync(HttpClient http, Func<HttpRequestMessage> request, int rate, TimeSpan duration)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var millis = new double[count];
        var (failures, denied) = (0, 0);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                using var message = request();
                using var response = await http.SendAsync(message);
                var body = await response.Content.ReadAsByteArrayAsync();
                millis[index] = (clock.Elapsed - due).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                else if (body.AsSpan().IndexOf("\"allowed\":false"u8) >= 0) Interlocked.Increment(ref denied);
            }));
        }
        await Task.WhenAll(inFlight);
        return (millis.ToList(), failures, denied);
    }
}
