using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Audit;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class KubernetesAuditTests(AccessApp app)
{
    private async Task<(KubeSimCluster Sim, HttpClient Admin, string ClusterId, JsonNode Webhook)> ClusterWithWebhookAsync(AuditLevel level = AuditLevel.Metadata)
    {
        var sim = await ClusterApp.StartClusterAsync();
        var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var webhook = await (await admin.PostAsync($"/api/v1/clusters/{clusterId}/audit-webhook/rotate", null)).BodyAsync();
        await sim.Audit.ConfigureAsync(new AuditOptions
        {
            WebhookKubeconfigYaml = (string)webhook["kubeconfig"]!, Level = level, BatchMaxWait = TimeSpan.FromMilliseconds(200),
        });
        return (sim, admin, clusterId, webhook);
    }

    [Fact]
    public async Task the_clusters_audit_webhook_feeds_the_search_and_grant_accounts_link_to_their_cocktail_user()
    {
        var (sim, admin, clusterId, webhook) = await ClusterWithWebhookAsync(AuditLevel.Request);
        await using var _ = sim;
        Assert.Contains($"/api/v1/audit/ingest/{clusterId}", (string?)webhook["ingestUrl"]);
        Assert.Contains("kind: Policy", (string?)webhook["policy"]);
        var user = await app.CreateUserAsync();
        var grantId = (string)(await Grants.GrantAsync(admin, new
        {
            userId = user.Id, clusterId, scope = "Cluster", role = "edit", validUntil = DateTimeOffset.UtcNow.AddHours(1), reason = "audit me",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, grantId, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(user.Client, grantId));

        await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "traced" }, Data = new Dictionary<string, string> { ["k"] = "v" } }, "default");

        var found = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{clusterId}/audit?window=1h&cocktailUser={user.UserName}&verb=create",
            page => page["items"]!.AsArray().Count >= 1, "the create in the audit log");
        var record = found["items"]![0]!;
        Assert.Equal("configmaps", (string?)record["resource"]);
        Assert.Equal("traced", (string?)record["name"]);
        Assert.Equal(201, (int?)record["code"]);
        Assert.Equal(grantId, (string?)record["grantId"]);
        Assert.StartsWith("system:serviceaccount:cocktail-access:grant-", (string?)record["user"]);
        var detail = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit/{record["auditId"]}")).BodyAsync();
        Assert.Equal("v", (string?)detail[0]!["event"]!["requestObject"]!["data"]!["k"]);
        Assert.NotEmpty(detail[0]!["record"]!["sourceIps"]!.AsArray());

        var csv = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit/export?window=1h&cocktailUser={user.UserName}&format=csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("timestamp,auditId,stage,verb,user,cocktailUser", csv);
        Assert.Contains($",create,system:serviceaccount:cocktail-access:", csv);
    }

    [Fact]
    public async Task a_get_only_reads_the_set_up_and_a_post_rotates_the_secret_so_the_old_one_is_refused()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var url = $"/api/v1/clusters/{clusterId}/audit-webhook";

        var none = await admin.GetAsync(url);
        var statusBefore = await (await admin.GetAsync($"{url}/status")).BodyAsync();
        var first = await (await admin.PostAsync($"{url}/rotate", null)).BodyAsync();
        var read = await (await admin.GetAsync(url)).BodyAsync();
        var oldStyle = await admin.GetAsync($"{url}?rotate=true");
        var readAgain = await (await admin.GetAsync(url)).BodyAsync();
        var second = await (await admin.PostAsync($"{url}/rotate", null)).BodyAsync();
        var statusAfter = await (await admin.GetAsync($"{url}/status")).BodyAsync();

        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("no audit webhook secret yet", (string?)(await none.BodyAsync())["detail"]);
        Assert.False((bool?)statusBefore["configured"]);
        Assert.Equal((string?)first["kubeconfig"], (string?)read["kubeconfig"]);
        Assert.Equal(HttpStatusCode.BadRequest, oldStyle.StatusCode);
        Assert.Equal((string?)first["kubeconfig"], (string?)readAgain["kubeconfig"]);
        Assert.NotEqual(SecretOf(first), SecretOf(second));
        Assert.True((bool?)statusAfter["configured"]);
        var kubeconfig = (string)second["kubeconfig"]!;
        Assert.Contains("kind: Config", kubeconfig);
        Assert.Contains($"server: {second["ingestUrl"]}/{SecretOf(second)}", kubeconfig);
        Assert.Contains("current-context:", kubeconfig);

        using var ingest = app.Anonymous();
        var batch = EventList(Event(Guid.NewGuid(), "alice", "get"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await ingest.PostRawAsync($"/api/v1/audit/ingest/{clusterId}/{SecretOf(first)}", batch)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostRawAsync($"/api/v1/audit/ingest/{clusterId}/{SecretOf(second)}", batch)).StatusCode);
    }

    [Fact]
    public async Task a_batch_sent_twice_is_stored_once_a_malformed_one_stores_nothing_and_a_wrong_secret_gets_401()
    {
        var (sim, admin, clusterId, webhook) = await ClusterWithWebhookAsync();
        await using var _ = sim;
        await sim.Audit.DisableAsync();
        var secret = SecretOf(webhook);
        using var ingest = app.Anonymous();
        ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var url = $"/api/v1/audit/ingest/{clusterId}";
        var batch = EventList(Event(Guid.NewGuid(), "alice", "get"), Event(Guid.NewGuid(), "alice", "list"));

        var first = await (await ingest.PostRawAsync(url, batch)).BodyAsync();
        var again = await (await ingest.PostRawAsync(url, batch)).BodyAsync();
        var broken = await ingest.PostRawAsync(url, "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[");
        var invalidItem = await ingest.PostRawAsync(url, EventList(Event(Guid.NewGuid(), "alice", "delete"), """{"stage":"ResponseComplete","verb":"get"}"""));
        using var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "cka_wrong");
        var unauthorized = await wrong.PostRawAsync(url, batch);

        Assert.Equal((2, 2), ((int?)first["received"], (int?)first["stored"]));
        Assert.Equal((2, 0), ((int?)again["received"], (int?)again["stored"]));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalidItem.StatusCode);
        Assert.Contains("items[1]", (string?)(await invalidItem.BodyAsync())["errors"]!["body"]![0]);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        var stored = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h&user=alice")).BodyAsync();
        Assert.Equal(["list", "get"], stored["items"]!.AsArray().Select(r => (string?)r!["verb"]).Order().Reverse());
    }

    [Fact]
    public async Task search_filters_and_pages_newest_first()
    {
        var (sim, admin, clusterId, webhook) = await ClusterWithWebhookAsync();
        await using var _ = sim;
        await sim.Audit.DisableAsync();
        var secret = SecretOf(webhook);
        using var ingest = app.Anonymous();
        ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var events = Enumerable.Range(0, 30).Select(i => Event(Guid.NewGuid(), i % 2 == 0 ? "bob" : "carol", i % 3 == 0 ? "delete" : "get",
            start.AddMinutes(i), ns: i % 5 == 0 ? "shop" : "web")).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostRawAsync($"/api/v1/audit/ingest/{clusterId}", EventList(events))).StatusCode);

        var page1 = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h&limit=10")).BodyAsync();
        var page2 = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h&limit=10&before={page1["nextBefore"]}")).BodyAsync();
        var bobDeletes = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h&user=bob&verb=delete&limit=100")).BodyAsync();
        var shop = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h&namespace=shop&limit=100")).BodyAsync();
        var user = await app.CreateUserAsync();

        var times = page1["items"]!.AsArray().Concat(page2["items"]!.AsArray()).Select(r => DateTimeOffset.Parse((string)r!["timestamp"]!)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal(20, times.Distinct().Count());
        Assert.True((bool?)page1["more"]);
        Assert.Equal(5, bobDeletes["items"]!.AsArray().Count); // i = 0, 6, 12, 18, 24
        Assert.Equal(6, shop["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=1h")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit?window=7y")).StatusCode);
    }

    /// <summary>Over http the secret is the last segment of the kubeconfig's server URL.</summary>
    /// <remarks>Remembered as a test secret: the run-wide log scan fails if a request log line ever shows it.</remarks>
    private static string SecretOf(JsonNode webhook) => TestSecrets.Remember(
        ((string)webhook["kubeconfig"]!).Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("server:"))["server:".Length..].Trim().Split('/')[^1]);

    [Fact]
    public async Task over_http_the_secret_rides_in_the_url_because_an_api_server_sends_no_token_there_and_refusals_are_shown_with_their_reason()
    {
        var (sim, admin, clusterId, webhook) = await ClusterWithWebhookAsync();
        await using var _ = sim;
        var kubeconfig = (string)webhook["kubeconfig"]!;
        SecretOf(webhook);
        Assert.DoesNotContain("token:", kubeconfig);
        Assert.True((bool?)webhook["secretInUrl"]);
        Assert.Contains($"server: {webhook["ingestUrl"]}/cka_", kubeconfig);

        // KubeSim sends as client-go does (no Authorization header over http): the batch still arrives.
        using var kube = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(sim.AdminKubeconfigYaml))));
        await kube.CoreV1.ListNamespaceAsync();
        var arrived = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{clusterId}/audit-webhook/status",
            s => s["lastBatchAt"] is not null, "a batch from the cluster's API server");
        Assert.True((int?)arrived["lastBatchEvents"] >= 1);
        Assert.Null(arrived["lastRefusalReason"]);

        // What an API server given an old-style http kubeconfig sends: no credentials at all.
        using var plain = app.Anonymous();
        var refused = await plain.PostRawAsync($"/api/v1/audit/ingest/{clusterId}", EventList(Event(Guid.NewGuid(), "alice", "get")));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var status = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit-webhook/status")).BodyAsync();
        Assert.Contains("carried no credentials", (string?)status["lastRefusalReason"]);
        Assert.NotNull(status["lastRefusalAt"]);
        var wrong = await plain.PostRawAsync($"/api/v1/audit/ingest/{clusterId}/cka_not-the-secret", EventList(Event(Guid.NewGuid(), "alice", "get")));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        status = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}/audit-webhook/status")).BodyAsync();
        Assert.Contains("not this cluster's current one", (string?)status["lastRefusalReason"]);
        Assert.DoesNotContain("cka_not-the-secret", status.ToJsonString());
    }

    private static string EventList(params string[] items) =>
        $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{string.Join(",", items)}}]}""";

    private static string Event(Guid id, string user, string verb, DateTimeOffset? at = null, string ns = "web") =>
        new JsonObject
        {
            ["kind"] = "Event", ["apiVersion"] = "audit.k8s.io/v1", ["level"] = "Metadata", ["auditID"] = id.ToString(),
            ["stage"] = "ResponseComplete", ["requestURI"] = $"/api/v1/namespaces/{ns}/pods", ["verb"] = verb,
            ["user"] = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("system:authenticated") },
            ["sourceIPs"] = new JsonArray("10.0.0.7"), ["userAgent"] = "kubectl/v1.32.4",
            ["objectRef"] = new JsonObject { ["resource"] = "pods", ["namespace"] = ns, ["apiVersion"] = "v1" },
            ["responseStatus"] = new JsonObject { ["metadata"] = new JsonObject(), ["code"] = 200 },
            ["requestReceivedTimestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O"), ["stageTimestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O"),
        }.ToJsonString();
}
