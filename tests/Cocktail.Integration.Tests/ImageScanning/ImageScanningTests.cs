using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>
/// Cocktail as the token server of the real registry, whose own notifications report pushes; scans run as Trivy Jobs
/// on a KubeSim build cluster, which pulls through the registry with the scan's robot; Trivy Operator reports are
/// listed every second.
/// </summary>
public sealed class ImageScanningApp : RegistryApp
{
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public ImageScanningApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:ImageScanning:OperatorPollInterval", "00:00:01");
        // The operator's CRD is installed during a test, after the cluster was first asked (404).
        WithSetting("Cocktail:ImageScanning:OperatorAbsentRetry", "00:00:01");
        WithSetting("Cocktail:ImageScanning:DbRepository", "mirror.example.com/aquasecurity/trivy-db");
    }

    protected override Cocktail.Testing.Registry.RegistryNotifications? Notifications() =>
        new(new Uri(BaseAddress, "/api/v1/registry/notifications"), new Dictionary<string, string> { ["Authorization"] = $"Bearer {NotificationSecret}" })
        {
            IgnoredMediaTypes = ["application/octet-stream", OciImage.LayerMediaType, OciImage.ConfigMediaType],
        };
}

public sealed class ImageScanningTests(ImageScanningApp app) : IClassFixture<ImageScanningApp>
{
    static readonly TimeSpan Scanned = TimeSpan.FromSeconds(60);

    async Task<(Tenancy.Tenancy T, RegistryServer Registry, (string Id, string UserName, string Password) Robot)> SetUpAsync()
    {
        var registry = app.RequireRegistry();
        var t = await Tenancy.Tenancy.CreateAsync(app);
        var settings = await t.Admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId = t.ClusterId, @namespace = "cocktail-builds" });
        Assert.True(settings.IsSuccessStatusCode, (await settings.BodyAsync()).ToJsonString());
        var team = new RegistryWorkspace(t.WorkspaceId, t.WorkspaceName, t.WorkspaceAdmin, t.Developer, t.Viewer);
        var robot = await RobotAccountTests.CreateRobotAsync(t.WorkspaceAdmin.Client, team, "ci", "PushPull");
        return (t, registry, robot);
    }

    static async Task<OciImage> PushAsync(RegistryServer registry, (string Id, string UserName, string Password) robot, string repository, OciImage? image = null)
    {
        using var client = new RegistryClient(registry);
        image ??= OciImage.Create($"{repository} {Guid.NewGuid():N}");
        var pushed = await client.PushAsync(repository, "v1", robot.UserName, robot.Password, image);
        Assert.True(pushed.Succeeded, $"{pushed}\n{registry.Output}");
        return image;
    }

    static Task<JsonNode> ScanAsync(HttpClient client, string workspaceId, string digest, Func<JsonNode, bool> until, string because) =>
        Eventually.GetAsync(async () =>
        {
            var response = await client.GetAsync($"/api/v1/workspaces/{workspaceId}/images/scans/{digest}");
            return response.StatusCode == HttpStatusCode.OK ? await response.BodyAsync() : new JsonObject { ["status"] = $"HTTP {(int)response.StatusCode}" };
        }, until, Scanned, because);

    [SkippableFact]
    public async Task a_pushed_image_is_scanned_by_a_trivy_job_on_the_build_cluster_and_members_read_its_critical_cves_while_other_workspaces_get_404()
    {
        var (t, registry, robot) = await SetUpAsync();
        await using var _ = t;
        var repository = $"{t.WorkspaceName}/critical-shop";
        var image = await PushAsync(registry, robot, repository);

        var scan = await ScanAsync(t.Viewer.Client, t.WorkspaceId, image.Digest, s => (string?)s["status"] == "Scanned", "the scanner Job's report stored");

        Assert.Equal(("Job", "Critical", 3, 1, 1), ((string)scan["source"]!, (string)scan["worstSeverity"]!, (int)scan["critical"]!, (int)scan["high"]!, (int)scan["low"]!));
        var critical = scan["vulnerabilities"]!.AsArray().Where(v => (string)v!["severity"]! == "Critical").ToList();
        Assert.Equal(["CVE-2023-45853", "CVE-2024-45491", "CVE-2024-45492"], critical.Select(v => (string)v!["vulnerabilityId"]!).Order());
        var expat = critical.First(v => (string)v!["vulnerabilityId"]! == "CVE-2024-45491")!;
        Assert.Equal(("libexpat", "2.6.2-r0", "2.6.3-r0", "https://avd.aquasec.com/nvd/cve-2024-45491"),
            ((string)expat["pkgName"]!, (string)expat["installedVersion"]!, (string)expat["fixedVersion"]!, (string)expat["primaryUrl"]!));
        Assert.Null(critical.First(v => (string)v!["vulnerabilityId"]! == "CVE-2023-45853")!["fixedVersion"]);
        var reference = Assert.Single(scan["references"]!.AsArray())!;
        Assert.Equal((repository, "v1"), ((string)reference["repository"]!, (string)reference["tag"]!));

        // The pull Secret is gone once the report is stored, and the scan's robot revoked.
        await Eventually.GetAsync(() => Task.FromResult(t.Sim.Objects.List("v1", "Secret", "cocktail-builds").Count(s => ((string)s["metadata"]!["name"]!).StartsWith("scan-"))),
            n => n == 0, because: "the scan's pull Secret removed");
        var robots = await Eventually.GetAsync(async () => await t.WorkspaceAdmin.Client.GetStringAsync($"/api/v1/workspaces/{t.WorkspaceId}/robot-accounts"),
            r => (JsonNode.Parse(r) is JsonArray a ? a : JsonNode.Parse(r)?["items"]?.AsArray())?.Any(x => ((string?)x!["name"])?.StartsWith("scan-") == true && x["revokedAt"] is not null) == true, because: "the scan's pull robot revoked");
        Assert.NotNull(robots);

        await using var other = await Tenancy.Tenancy.CreateAsync(app, sim: t.Sim, clusterId: t.ClusterId);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Developer.Client.GetAsync($"/api/v1/workspaces/{other.WorkspaceId}/images/scans/{image.Digest}")).StatusCode);
        var foreign = await other.Developer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans/{image.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.DoesNotContain("CVE-", await foreign.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task a_truncated_report_is_a_failed_scan_with_the_reason_and_no_findings()
    {
        var (t, registry, robot) = await SetUpAsync();
        await using var _ = t;
        var image = await PushAsync(registry, robot, $"{t.WorkspaceName}/broken-report");

        var scan = await ScanAsync(t.Developer.Client, t.WorkspaceId, image.Digest, s => (string?)s["status"] == "Failed", "the broken report refused");

        Assert.Equal("Failed", (string)scan["lastAttempt"]!["status"]!);
        Assert.Contains("JSON", (string)scan["lastAttempt"]!["failureReason"]!);
        Assert.Empty(scan["vulnerabilities"]!.AsArray());
        Assert.Null(scan["worstSeverity"]);
        Assert.Null(scan["scannedAt"]);
    }

    [SkippableFact]
    public async Task a_failing_scanner_job_is_a_failed_attempt_with_trivys_error_and_the_earlier_good_scan_is_kept_until_a_rescan_succeeds()
    {
        var (t, registry, robot) = await SetUpAsync();
        await using var _ = t;
        var good = $"{t.WorkspaceName}/critical-api";
        var image = await PushAsync(registry, robot, good);
        var first = await ScanAsync(t.Developer.Client, t.WorkspaceId, image.Digest, s => (string?)s["status"] == "Scanned", "the first scan");

        // The same image under a name whose scan fails (the simulated Trivy cannot fetch its DB).
        await PushAsync(registry, robot, $"{t.WorkspaceName}/scan-fails", image);
        var failed = await ScanAsync(t.Developer.Client, t.WorkspaceId, image.Digest, s => (string?)s["status"] == "Failed", "the failed rescan");

        Assert.Contains("failed to download vulnerability DB", (string)failed["lastAttempt"]!["failureReason"]!);
        Assert.Equal((3, (string)first["scannedAt"]!), ((int)failed["critical"]!, (string)failed["scannedAt"]!));
        Assert.Equal(5, failed["vulnerabilities"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.Forbidden, (await t.Viewer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans",
            new { repository = good, digest = image.Digest })).StatusCode);
        var unknown = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans",
            new { repository = good, digest = "sha256:" + new string('0', 64) });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var invalid = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans", new { repository = "Not A Repo", digest = "latest" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.BodyAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("repository") && errors.ContainsKey("digest"), errors.ToJsonString());

        var rescan = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans", new { repository = good, digest = image.Digest });
        Assert.Equal(HttpStatusCode.Accepted, rescan.StatusCode);
        var again = await ScanAsync(t.Developer.Client, t.WorkspaceId, image.Digest,
            s => (string?)s["status"] == "Scanned" && (DateTimeOffset)s["scannedAt"]! > (DateTimeOffset)first["scannedAt"]!, "the requested rescan");
        Assert.Equal(3, (int)again["critical"]!);
    }

    [SkippableFact]
    public async Task a_trivy_operator_vulnerability_report_on_a_cluster_is_stored_by_digest_with_the_workload_running_it()
    {
        Skip.IfNot(RegistryServer.Available, RegistryServer.MissingReason);
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "shop-" + Guid.NewGuid().ToString("N")[..6]);
        var ns = (string)map["namespace"]!;
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        using var kube = t.Kube();
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(SharedCrds.Read(SharedCrds.TrivyOperator, SharedCrds.VulnerabilityReports));
        await kube.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        var digest = Registries.RegistryNotifications.Digest("nginx " + Guid.NewGuid());
        var report = new JsonObject
        {
            ["apiVersion"] = "aquasecurity.github.io/v1alpha1", ["kind"] = "VulnerabilityReport",
            ["metadata"] = new JsonObject
            {
                ["name"] = "replicaset-web-5d9c-nginx",
                ["labels"] = new JsonObject
                {
                    ["trivy-operator.resource.kind"] = "ReplicaSet", ["trivy-operator.resource.name"] = "web-5d9c", ["trivy-operator.resource.namespace"] = ns,
                    ["trivy-operator.container.name"] = "nginx",
                },
            },
            ["report"] = new JsonObject
            {
                ["updateTimestamp"] = "2026-01-10T08:00:00Z",
                ["artifact"] = new JsonObject { ["repository"] = "library/nginx", ["tag"] = "1.27", ["digest"] = digest },
                ["registry"] = new JsonObject { ["server"] = "index.docker.io" },
                ["scanner"] = new JsonObject { ["name"] = "Trivy", ["vendor"] = "Aqua Security", ["version"] = "0.57.1" },
                ["os"] = new JsonObject { ["family"] = "debian", ["name"] = "12.8" },
                ["summary"] = new JsonObject { ["criticalCount"] = 1, ["highCount"] = 1, ["mediumCount"] = 0, ["lowCount"] = 0, ["unknownCount"] = 0, ["noneCount"] = 0 },
                ["vulnerabilities"] = new JsonArray(
                    new JsonObject
                    {
                        ["vulnerabilityID"] = "CVE-2024-45491", ["resource"] = "libexpat1", ["installedVersion"] = "2.5.0-1", ["fixedVersion"] = "2.5.0-1+deb12u1",
                        ["severity"] = "CRITICAL", ["title"] = "libexpat: Integer Overflow", ["primaryLink"] = "https://avd.aquasec.com/nvd/cve-2024-45491",
                        ["publishedDate"] = "2024-08-30T03:15:03Z", ["lastModifiedDate"] = "2024-09-04T14:28:33Z", // required by the CRD
                    },
                    new JsonObject
                    {
                        ["vulnerabilityID"] = "CVE-2024-6119", ["resource"] = "libssl3", ["installedVersion"] = "3.0.14-1~deb12u1", ["fixedVersion"] = "",
                        ["severity"] = "HIGH", ["title"] = "openssl: denial of service", ["primaryLink"] = "https://avd.aquasec.com/nvd/cve-2024-6119",
                        ["publishedDate"] = "2024-08-30T03:15:03Z", ["lastModifiedDate"] = "2024-09-04T14:28:33Z", // required by the CRD
                    }),
            },
        };
        await Eventually.GetAsync(async () =>
        {
            try { await kube.CustomObjects.CreateNamespacedCustomObjectAsync(report, "aquasecurity.github.io", "v1alpha1", ns, "vulnerabilityreports"); return true; }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return false; }
        }, created => created, because: "the CRD established");

        var scan = await ScanAsync(t.Viewer.Client, t.WorkspaceId, digest, s => (string?)s["status"] == "Scanned", "the operator's report stored");

        Assert.Equal(("TrivyOperator", 1, 1), ((string)scan["source"]!, (int)scan["critical"]!, (int)scan["high"]!));
        Assert.Null(scan["vulnerabilities"]!.AsArray().Single(v => (string)v!["vulnerabilityId"]! == "CVE-2024-6119")!["fixedVersion"]);
        var running = Assert.Single(scan["runningIn"]!.AsArray())!;
        Assert.Equal((t.ClusterId, ns, "ReplicaSet", "web-5d9c", t.WorkspaceId),
            ((string)running["clusterId"]!, (string)running["namespace"]!, (string)running["ownerKind"]!, (string)running["ownerName"]!, (string)running["workspaceId"]!));
        Assert.Empty(scan["references"]!.AsArray()); // Docker Hub's image belongs to no workspace's registry

        // The workload is gone, and its report with it: the image no longer shows as running there, nor to the workspace.
        await kube.CustomObjects.DeleteNamespacedCustomObjectAsync("aquasecurity.github.io", "v1alpha1", ns, "vulnerabilityreports", "replicaset-web-5d9c-nginx");
        await Eventually.GetAsync(async () => (await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans/{digest}")).StatusCode,
            s => s == HttpStatusCode.NotFound, Scanned, "the image no longer running in the workspace");
    }
}
