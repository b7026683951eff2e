using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Registries;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using static Cocktail.Integration.Tests.ImageScanning.ImageGateWorld;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>
/// The image gate end to end: a real image in the real registry with a (seeded) critical scan, a KubeSim cluster whose
/// API server calls Cocktail's admission listener over HTTPS with the registered caBundle, and kubectl with an access grant.
/// </summary>
public sealed class ImageGateTests(ImageGateApp app) : IClassFixture<ImageGateApp>
{
    /// <summary>A service map whose policy blocks critical vulnerabilities, an image pushed to the workspace registry, its critical scan.</summary>
    private sealed record Gated(Tenancy.Tenancy T, string MapId, string Namespace, string Image, string Digest, string Repository) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => T.DisposeAsync();
    }

    private async Task<Gated> GatedAsync(string ns)
    {
        var registry = app.RequireRegistry();
        var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, ns);
        var mapId = (string)map["id"]!;
        var policy = await t.Admin.PutAsJsonAsync($"/api/v1/service-maps/{mapId}/policy", new { podSecurity = "baseline", images = new { blockCritical = true } });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        await Eventually.TrueAsync(async () => (await t.Kube().CoreV1.ReadNamespaceAsync(ns)).Metadata.Labels is { } labels && labels.TryGetValue("cocktail.io/image-gate", out var gate) && gate == "enforced",
            TimeSpan.FromSeconds(20), "the namespace labelled for the image gate");

        var team = new RegistryWorkspace(t.WorkspaceId, t.WorkspaceName, t.WorkspaceAdmin, t.Developer, t.Viewer);
        var robot = await RobotAccountTests.CreateRobotAsync(t.WorkspaceAdmin.Client, team, "ci", "PushPull");
        using var client = new Registries.RegistryClient(registry);
        var image = OciImage.Create($"gate {Guid.NewGuid():N}");
        var repository = team.Repository("shop/web");
        var pushed = await client.PushAsync(repository, "1.0", robot.UserName, robot.Password, image);
        Assert.True(pushed.Succeeded, pushed.ToString());
        await SeedCriticalScanAsync(app, image.Digest, registry.Authority, repository, "1.0", Guid.Parse(t.WorkspaceId));
        return new Gated(t, mapId, ns, $"{registry.Authority}/{repository}:1.0", image.Digest, repository);
    }

    private async Task EnforceAsync(Tenancy.Tenancy t)
    {
        await ConfigureGateAsync(t.Admin, t.ClusterId, app.AdmissionAddress);
        await ClusterApp.WaitForAsync(t.Admin, $"/api/v1/clusters/{t.ClusterId}/image-gate", g => (string?)g["state"] == "Applied", "the webhook registered");
    }

    private static async Task<string> KubeconfigAsync(CocktailApp app, Gated g)
    {
        var user = await app.CreateUserAsync();
        var grant = await Grants.GrantAsync(g.T.Admin, new
        {
            userId = user.Id, clusterId = g.T.ClusterId, scope = "ServiceMap", serviceMapId = g.MapId, role = "edit",
            validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "image gate test",
        });
        var id = (string)grant["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, id, "Active");
        return await Grants.KubeconfigAsync(user.Client, id);
    }

    [SkippableFact]
    public async Task a_critical_image_is_refused_by_cocktail_and_by_the_cluster_and_both_admit_it_after_an_exception()
    {
        await using var g = await GatedAsync("gated");
        await EnforceAsync(g.T);
        var kubeconfig = await KubeconfigAsync(app, g);

        var deploy = await g.T.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{g.MapId}/workloads", Workloads.Workloads.Web(g.Image));
        var refusedByKubectl = await Grants.KubectlAsync(kubeconfig, "run", "web", "-n", g.Namespace, "--image", g.Image, "--restart=Never");

        Assert.Equal(HttpStatusCode.BadRequest, deploy.StatusCode);
        var problem = await deploy.BodyAsync();
        var field = string.Join(" ", problem["errors"]!["containers[0].image"]!.AsArray().Select(m => (string)m!));
        Assert.Contains(Cve, field);
        Assert.Contains($"image {g.Repository}@{g.Digest[..19]}", field);
        Assert.Contains("1 critical vulnerability", field);
        Assert.NotEqual(0, refusedByKubectl.ExitCode);
        Assert.Contains("admission webhook \"images.cocktail.io\" denied the request", refusedByKubectl.Output);
        Assert.Contains(Cve, refusedByKubectl.Output);
        Assert.Contains("openssl 3.0.1 → 3.0.2", refusedByKubectl.Output);

        await GrantExceptionAsync(app, Guid.Parse(g.T.WorkspaceId), g.T.WorkspaceName, g.Repository);

        var admitted = await Eventually.GetAsync(() => Grants.KubectlAsync(kubeconfig, "run", "web", "-n", g.Namespace, "--image", g.Image, "--restart=Never"),
            r => r.ExitCode == 0, TimeSpan.FromSeconds(15), "the cluster to admit the pod once the exception counts");
        Assert.Contains("pod/web created", admitted.Output);
        var deployed = await g.T.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{g.MapId}/workloads", Workloads.Workloads.Web(g.Image));
        Assert.True(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task the_cluster_holds_one_webhook_for_pods_and_their_owners_in_gated_namespaces_failing_closed_and_loses_it_when_the_setting_is_cleared()
    {
        await using var g = await GatedAsync("contract");
        await EnforceAsync(g.T);
        var caBundle = await app.Services.GetRequiredService<Cocktail.Application.ImageScanning.Reconciling.IAdmissionCertificate>().CaBundlePemAsync(default);

        var configuration = await g.T.Kube().AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync("cocktail-image-gate");

        var webhook = Assert.Single(configuration.Webhooks);
        Assert.Equal("images.cocktail.io", webhook.Name);
        Assert.Equal(("Fail", "None", 5, "Equivalent"), (webhook.FailurePolicy, webhook.SideEffects, webhook.TimeoutSeconds, webhook.MatchPolicy));
        Assert.Equal(["v1"], webhook.AdmissionReviewVersions);
        Assert.Equal($"{app.AdmissionAddress.ToString().TrimEnd('/')}/api/v1/admission/clusters/{g.T.ClusterId}/pods", webhook.ClientConfig.Url);
        Assert.Equal(caBundle, Encoding.UTF8.GetString(webhook.ClientConfig.CaBundle));
        var selector = Assert.Single(webhook.NamespaceSelector.MatchExpressions);
        Assert.Equal(("cocktail.io/image-gate", "In", "enforced"), (selector.Key, selector.OperatorProperty, Assert.Single(selector.Values)));
        var rules = webhook.Rules.SelectMany(r => r.Resources.Select(res => $"{r.ApiGroups.Single()}/{res} {string.Join(",", r.Operations)}")).Order().ToList();
        Assert.Equal([
            "/pods CREATE,UPDATE", "/pods/ephemeralcontainers CREATE,UPDATE", "apps/daemonsets CREATE,UPDATE", "apps/deployments CREATE,UPDATE",
            "apps/replicasets CREATE,UPDATE", "apps/statefulsets CREATE,UPDATE", "batch/cronjobs CREATE,UPDATE", "batch/jobs CREATE,UPDATE",
        ], rules);

        var cleared = await g.T.Admin.DeleteAsync($"/api/v1/clusters/{g.T.ClusterId}/image-gate");
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var shown = await ClusterApp.WaitForAsync(g.T.Admin, $"/api/v1/clusters/{g.T.ClusterId}/image-gate", s => (string?)s["state"] == "Applied", "the webhook removed");
        Assert.Equal((false, null), ((bool)shown["enforced"]!, (string?)shown["webhookUrl"]));
        Assert.Contains("does not ask Cocktail", (string)shown["explanation"]!);
        var list = await g.T.Kube().AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync();
        Assert.DoesNotContain(list.Items, c => c.Metadata.Name == "cocktail-image-gate");
    }

    [SkippableFact]
    public async Task a_namespace_whose_policy_does_not_gate_images_is_not_asked()
    {
        await using var g = await GatedAsync("gated2");
        await EnforceAsync(g.T);
        var open = await g.T.CreateServiceMapAsync(g.T.WorkspaceAdmin.Client, "open");
        await g.T.WaitForStatusAsync((string)open["id"]!, "Ready");
        Assert.Equal("off", (await g.T.Kube().CoreV1.ReadNamespaceAsync("open")).Metadata.Labels["cocktail.io/image-gate"]);

        var pod = new k8s.Models.V1Pod
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "critical" },
            Spec = new k8s.Models.V1PodSpec { Containers = [new k8s.Models.V1Container { Name = "app", Image = g.Image }] },
        };
        var created = await g.T.Kube().CoreV1.CreateNamespacedPodAsync(pod, "open");
        var gated = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => g.T.Kube().CoreV1.CreateNamespacedPodAsync(pod, g.Namespace));

        Assert.Equal("critical", created.Metadata.Name);
        Assert.Equal(HttpStatusCode.Forbidden, gated.Response.StatusCode);
        // Verdicts are recorded in the order their windows opened: once the gated namespace's is in the audit trail, one
        // for the open namespace (asked first) would be too.
        var verdicts = await Eventually.GetAsync(() => VerdictsAsync(g.T.Admin),
            v => v.Any(e => (string?)e!["data"]!["namespace"] == g.Namespace && (string?)e["data"]!["clusterId"] == g.T.ClusterId),
            TimeSpan.FromSeconds(20), "the gated namespace's verdict recorded");
        Assert.DoesNotContain(verdicts, v => (string?)v!["data"]!["namespace"] == "open" && (string?)v["data"]!["clusterId"] == g.T.ClusterId);
    }

    [SkippableFact]
    public async Task identical_verdicts_within_a_minute_reach_the_audit_search_once_with_their_count()
    {
        await using var g = await GatedAsync("audited");
        using var admission = await AdmissionClientAsync(app);
        var image = $"{g.Image}@{g.Digest}";

        for (var i = 0; i < 5; i++)
        {
            var answer = await PostReviewAsync(admission, g.T.ClusterId, Review(g.Namespace, image, uid: $"uid-{i}"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var response = (await answer.BodyAsync())["response"]!;
            Assert.Equal(($"uid-{i}", false, 403), ((string)response["uid"]!, (bool)response["allowed"]!, (int)response["status"]!["code"]!));
            Assert.Contains(Cve, (string)response["status"]!["message"]!);
        }

        var recorded = await Eventually.GetAsync(async () => (await VerdictsAsync(g.T.Admin)).Where(v => (string?)v!["data"]!["clusterId"] == g.T.ClusterId).ToList(),
            v => v.Count > 0, TimeSpan.FromSeconds(20), "the verdicts recorded");
        var verdict = Assert.Single(recorded)!;
        Assert.Equal((5, false, "audited", "Pod"), ((int)verdict["data"]!["repeatCount"]!, (bool)verdict["data"]!["allowed"]!,
            (string)verdict["data"]!["namespace"]!, (string)verdict["data"]!["kind"]!));
        Assert.Contains($"refused CREATE of Pod audited/p ({image}), 5 times", (string)verdict["summary"]!);
        Assert.Contains(Cve, (string)verdict["summary"]!);
    }

    [Fact]
    public async Task an_admission_review_that_is_not_v1_or_lacks_its_request_uid_or_object_is_answered_400()
    {
        using var admission = await AdmissionClientAsync(app);
        var cluster = Guid.NewGuid().ToString();
        var noObject = Review("ns", "nginx:1.27");
        noObject["request"]!.AsObject().Remove("object");
        var noUid = Review("ns", "nginx:1.27");
        noUid["request"]!.AsObject().Remove("uid");
        var noRequest = Review("ns", "nginx:1.27");
        noRequest.Remove("request");
        var deep = new StringBuilder().Append('[', 200).Append(']', 200).ToString();

        var cases = new (string Name, HttpResponseMessage Answer, string Field)[]
        {
            ("v1beta1", await PostReviewAsync(admission, cluster, Review("ns", "nginx:1.27", apiVersion: "admission.k8s.io/v1beta1")), "apiVersion"),
            ("no request", await PostReviewAsync(admission, cluster, noRequest), "request"),
            ("no uid", await PostReviewAsync(admission, cluster, noUid), "request.uid"),
            ("no object", await PostReviewAsync(admission, cluster, noObject), "request.object"),
            ("not JSON", await admission.PostAsync($"/api/v1/admission/clusters/{cluster}/pods", new StringContent("{\"apiVersion\":")), "body"),
            ("too deep", await admission.PostAsync($"/api/v1/admission/clusters/{cluster}/pods", new StringContent(deep)), "body"),
        };

        foreach (var (name, answer, field) in cases)
        {
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)answer.StatusCode}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType!.MediaType);
            Assert.True((await answer.BodyAsync())["errors"]![field] is JsonArray, name);
        }
        // With 100-continue the listener's refusal arrives before the body is sent (without, the client sees the early answer as a broken pipe).
        var huge = await admission.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admission/clusters/{cluster}/pods")
        {
            Content = new ByteArrayContent(new byte[4 * 1024 * 1024]), Headers = { ExpectContinue = true },
        });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admission.GetAsync("/api/v1/workspaces")).StatusCode);
        Assert.Equal("ok", await admission.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task only_platform_admins_set_a_clusters_image_gate_and_only_https_urls_without_credentials_are_taken()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();

        var byUser = await user.Client.PutAsJsonAsync($"/api/v1/clusters/{clusterId}/image-gate", new { webhookUrl = "https://cocktail.example.com:9443" });
        var plain = await admin.PutAsJsonAsync($"/api/v1/clusters/{clusterId}/image-gate", new { webhookUrl = "http://cocktail.example.com" });
        var withSecret = await admin.PutAsJsonAsync($"/api/v1/clusters/{clusterId}/image-gate", new { webhookUrl = "https://u:p@cocktail.example.com" });
        var none = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/image-gate")).BodyAsync();

        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.True((await plain.BodyAsync())["errors"]!["webhookUrl"] is JsonArray);
        Assert.Equal(HttpStatusCode.BadRequest, withSecret.StatusCode);
        Assert.Equal(("NotConfigured", false), ((string)none["state"]!, (bool)none["enforced"]!));
        Assert.Contains("does not ask Cocktail", (string)none["explanation"]!);
    }

    private static async Task<JsonArray> VerdictsAsync(HttpClient admin) =>
        (await (await admin.GetAsync("/api/v1/audit/events?type=ImageAdmissionDecided&pageSize=200")).BodyAsync())["items"]!.AsArray();
}
