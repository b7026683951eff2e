using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>Cocktail with the real registry, quick cluster probes and drift passes, and a short audit window for verdicts.</summary>
public sealed class ImageGateApp : RegistryApp
{
    public const int AuditWindowSeconds = 3;

    public ImageGateApp()
    {
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        WithSetting("Cocktail:Access:SweepInterval", "00:00:01");
        WithSetting("Cocktail:ImageGate:AuditWindow", $"00:00:{AuditWindowSeconds:00}");
        WithSetting("Cocktail:ImageGate:InputsCacheTtl", "00:00:01");
    }
}

/// <summary>Seeding what other slices produce, and calling the admission listener as an API server would.</summary>
public static class ImageGateWorld
{
    public const string Cve = "CVE-2024-31337";

    /// <summary>
    /// A scan stored directly through the test host's Marten session, as the scanning slice will store it (the
    /// scanner Job and Trivy Operator flows are another slice's; the lead merges them).
    /// </summary>
    public static async Task SeedCriticalScanAsync(CocktailApp app, string digest, string registry, string repository, string tag, Guid workspaceId)
    {
        var now = DateTimeOffset.UtcNow;
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var record = await session.LoadAsync<ImageScanRecord>(digest) ?? new ImageScanRecord { Id = digest };
        record.Record(new ImageScan(digest, repository, now,
            [new Vulnerability(Cve, "openssl", "3.0.1", "3.0.2", Severity.Critical, "Remote code execution", $"https://avd.aquasec.com/nvd/{Cve.ToLowerInvariant()}")]),
            ScanSource.Job, now);
        record.Saw(new ScannedImageRef(registry, repository, tag, workspaceId));
        session.Store(record);
        await session.SaveChangesAsync();
    }

    /// <summary>An exception started as its own stream through Marten, as the exceptions slice's command will append it.</summary>
    public static async Task GrantExceptionAsync(CocktailApp app, Guid workspaceId, string workspaceName, string pattern)
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<VulnerabilityException>(id, new VulnerabilityExceptionGranted(id, workspaceId, workspaceName, Cve, pattern,
            "Not reachable from the network; fixed in the next release", now.AddDays(7), new ActorRef(Guid.Empty, "admin"), now));
        await session.SaveChangesAsync();
    }

    /// <summary>An HTTPS client that trusts the admission listener only through the CA Cocktail puts in the caBundle, and checks the name.</summary>
    public static async Task<HttpClient> AdmissionClientAsync(CocktailApp app)
    {
        var pem = await app.Services.GetRequiredService<IAdmissionCertificate>().CaBundlePemAsync(CancellationToken.None);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { BaseAddress = app.AdmissionAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static JsonObject Review(string ns, string image, string uid = "rev-1", string apiVersion = "admission.k8s.io/v1", string name = "p") => new()
    {
        ["apiVersion"] = apiVersion, ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = uid, ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["name"] = name, ["namespace"] = ns, ["operation"] = "CREATE",
            ["object"] = new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image }) },
            },
        },
    };

    public static Task<HttpResponseMessage> PostReviewAsync(HttpClient admission, string clusterId, JsonNode review) =>
        admission.PostAsync($"/api/v1/admission/clusters/{clusterId}/pods?timeout=5s",
            new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));

    public static async Task<JsonNode> ConfigureGateAsync(HttpClient admin, string clusterId, Uri admissionAddress)
    {
        var response = await admin.PutAsJsonAsync($"/api/v1/clusters/{clusterId}/image-gate", new { webhookUrl = admissionAddress.ToString() });
        var body = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }
}
