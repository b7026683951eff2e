using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using k8s;
using static Cocktail.Integration.Tests.ImageScanning.ImageGateWorld;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>
/// Every part real but the cluster: the registry reports a push, Cocktail scans the image with a Trivy Job on the
/// KubeSim build cluster, the gate refuses the image in the API and (through the webhook it registered) on the
/// cluster, and a workspace admin's exceptions, granted through the API, let it in on both.
/// </summary>
public sealed class ImageGateEndToEndApp : RegistryApp
{
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public ImageGateEndToEndApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
        WithSetting("Cocktail:Access:SweepInterval", "00:00:01");
        WithSetting("Cocktail:ImageScanning:DbRepository", "mirror.example.com/aquasecurity/trivy-db");
    }

    protected override Cocktail.Testing.Registry.RegistryNotifications? Notifications() =>
        new(new Uri(BaseAddress, "/api/v1/registry/notifications"), new Dictionary<string, string> { ["Authorization"] = $"Bearer {NotificationSecret}" })
        {
            IgnoredMediaTypes = ["application/octet-stream", OciImage.LayerMediaType, OciImage.ConfigMediaType],
        };
}

public sealed class ImageGateEndToEndTests(ImageGateEndToEndApp app) : IClassFixture<ImageGateEndToEndApp>
{
    /// <summary>The critical findings of KubeSim's Trivy for a repository named "critical..." (tests/Cocktail.KubeSim/README.md).</summary>
    private static readonly string[] CriticalCves = ["CVE-2023-45853", "CVE-2024-45491", "CVE-2024-45492"];

    [SkippableFact]
    public async Task a_pushed_image_scanned_critical_is_refused_by_cocktail_and_by_the_cluster_until_a_workspace_admin_grants_exceptions()
    {
        var registry = app.RequireRegistry();
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var builds = await t.Admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId = t.ClusterId, @namespace = "cocktail-builds" });
        Assert.True(builds.IsSuccessStatusCode, (await builds.BodyAsync()).ToJsonString());
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "shop-prod");
        var mapId = (string)map["id"]!;
        var policy = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { images = new { blockCritical = true } });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        await Eventually.TrueAsync(async () => (await t.Kube().CoreV1.ReadNamespaceAsync("shop-prod")).Metadata.Labels is { } labels &&
                labels.TryGetValue("cocktail.io/image-gate", out var gate) && gate == "enforced",
            TimeSpan.FromSeconds(30), "the namespace labelled for the image gate");
        await ConfigureGateAsync(t.Admin, t.ClusterId, app.AdmissionAddress);
        await ClusterApp.WaitForAsync(t.Admin, $"/api/v1/clusters/{t.ClusterId}/image-gate", g => (string?)g["state"] == "Applied", "the webhook registered");

        // A developer's CI pushes; the registry's notification starts the scan.
        var team = new RegistryWorkspace(t.WorkspaceId, t.WorkspaceName, t.WorkspaceAdmin, t.Developer, t.Viewer);
        var robot = await RobotAccountTests.CreateRobotAsync(t.WorkspaceAdmin.Client, team, "ci", "PushPull");
        var repository = $"{t.WorkspaceName}/critical-web";
        var image = OciImage.Create($"end to end {Guid.NewGuid():N}");
        using (var client = new Registries.RegistryClient(registry))
        {
            var pushed = await client.PushAsync(repository, "1.0", robot.UserName, robot.Password, image);
            Assert.True(pushed.Succeeded, pushed.ToString());
        }
        var scan = await Eventually.GetAsync(async () =>
        {
            var response = await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/images/scans/{image.Digest}");
            return response.StatusCode == HttpStatusCode.OK ? await response.BodyAsync() : new JsonObject();
        }, s => (string?)s["status"] == "Scanned", TimeSpan.FromSeconds(60), "the scanner Job's report stored");
        Assert.Equal(3, (int)scan["critical"]!);

        var reference = $"{registry.Authority}/{repository}:1.0";
        var grant = await Grants.GrantAsync(t.Admin, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "ServiceMap", serviceMapId = mapId, role = "edit",
            validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "image gate end to end",
        });
        var grantId = (string)grant["grant"]!["id"]!;
        await Grants.WaitForStateAsync(t.Developer.Client, grantId, "Active");
        var kubeconfig = await Grants.KubeconfigAsync(t.Developer.Client, grantId);

        var deploy = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{mapId}/workloads", Workloads.Workloads.Web(reference));
        var kubectl = await Grants.KubectlAsync(kubeconfig, "run", "web", "-n", "shop-prod", "--image", reference, "--restart=Never");

        Assert.Equal(HttpStatusCode.BadRequest, deploy.StatusCode);
        var field = string.Join(" ", (await deploy.BodyAsync())["errors"]!["containers[0].image"]!.AsArray().Select(m => (string)m!));
        Assert.Contains("3 critical vulnerabilities", field);
        Assert.All(CriticalCves, cve => Assert.Contains(cve, field));
        Assert.NotEqual(0, kubectl.ExitCode);
        Assert.Contains("admission webhook \"images.cocktail.io\" denied the request", kubectl.Output);
        Assert.All(CriticalCves, cve => Assert.Contains(cve, kubectl.Output));

        // A developer may not accept a risk; the workspace admin does, one exception per CVE, with a reason and an end.
        var byDeveloper = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/vulnerability-exceptions",
            new { vulnerabilityId = CriticalCves[0], imagePattern = repository, reason = "mine", validUntil = DateTimeOffset.UtcNow.AddDays(7) });
        Assert.Equal(HttpStatusCode.Forbidden, byDeveloper.StatusCode);
        foreach (var cve in CriticalCves)
        {
            var granted = await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/vulnerability-exceptions",
                new { vulnerabilityId = cve, imagePattern = repository, reason = "Not reachable in this service; fixed next sprint", validUntil = DateTimeOffset.UtcNow.AddDays(14) });
            Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        }

        var admitted = await Eventually.GetAsync(() => Grants.KubectlAsync(kubeconfig, "run", "web", "-n", "shop-prod", "--image", reference, "--restart=Never"),
            r => r.ExitCode == 0, TimeSpan.FromSeconds(20), "the cluster to admit the pod once the exceptions count");
        Assert.Contains("pod/web created", admitted.Output);
        var deployed = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{mapId}/workloads", Workloads.Workloads.Web(reference));
        Assert.True(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());
    }
}
