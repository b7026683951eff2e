using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;

namespace Cocktail.Integration.Tests.Clusters;

[Collection(ClustersCollection.Name)]
public sealed class RegisteringClustersTests(ClusterApp app)
{
    [Fact]
    public async Task registering_from_a_kubeconfig_reads_the_version_and_the_nodes_and_never_returns_the_credentials()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 3);
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = sim.Name, provider = "EKS", region = "ap-northeast-2", labels = new { env = "prod" },
            kubeconfig = sim.AdminKubeconfigYaml,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(sim.AdminToken, text);
        var body = await response.BodyAsync();
        var cluster = body["cluster"]!;
        Assert.Equal(sim.Name, (string?)cluster["name"]);
        Assert.Equal("EKS", (string?)cluster["provider"]);
        Assert.Equal("prod", (string?)cluster["labels"]!["env"]);
        Assert.Equal("Connected", (string?)cluster["health"]);
        Assert.Equal("BearerToken", (string?)cluster["credentialKind"]);
        Assert.StartsWith("v1.", (string?)cluster["kubernetesVersion"]);

        var withNodes = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{cluster["id"]}",
            c => (int?)c["summary"]!["nodesTotal"] == 3, "the three nodes in the inventory");
        Assert.Equal(3, (int?)withNodes["summary"]!["nodesReady"]);
        var audit = await (await admin.GetAsync($"/api/v1/audit/events?streamId={cluster["id"]}")).Content.ReadAsStringAsync();
        Assert.Contains("ClusterRegistered", audit);
        Assert.DoesNotContain(sim.AdminToken, audit);
    }

    [Fact]
    public async Task registering_with_server_ca_and_token_works_like_a_kubeconfig()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = sim.Name, provider = "OpenStack", server = sim.Server, certificateAuthorityData = sim.CaData, token = sim.AdminToken,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(sim.Server, (string?)(await response.BodyAsync())["cluster"]!["server"]);
    }

    [Fact]
    public async Task a_client_certificate_kubeconfig_registers_and_its_expiry_is_shown_and_warned_about()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var notAfter = DateTimeOffset.UtcNow.AddDays(3);
        var kubeconfig = sim.ClientCertificateKubeconfig("cocktail-admin", ["system:masters"], notAfter);

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = sim.Name, provider = "VMware", kubeconfig });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var cluster = (await response.BodyAsync())["cluster"]!;
        Assert.Equal("ClientCertificate", (string?)cluster["credentialKind"]);
        var expiresAt = DateTimeOffset.Parse((string)cluster["credentialExpiresAt"]!);
        Assert.True(Math.Abs((expiresAt - notAfter).TotalSeconds) < 2, $"expiry {expiresAt:O}, certificate {notAfter:O}");

        // Expiry within the 7-day warning window: the next housekeeping pass warns (an event and a flag on the cluster).
        var warned = await ClusterApp.WaitForAsync(admin, $"/api/v1/audit/events?streamId={cluster["id"]}&type=ClusterCredentialExpiryWarned",
            page => (int?)page["total"] == 1, "the expiry warning", seconds: 30);
        Assert.Equal(sim.Name, (string?)warned["items"]![0]!["data"]!["name"]);
        var view = await (await admin.GetAsync($"/api/v1/clusters/{cluster["id"]}")).BodyAsync();
        Assert.True((bool?)view["cluster"]!["credentialExpiryWarning"]);
    }

    [Fact]
    public async Task a_token_with_an_exp_claim_shows_its_expiry()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var expires = DateTimeOffset.UtcNow.AddDays(60);
        var token = sim.IssueToken("cocktail", ["system:masters"], expires);

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = sim.Name, provider = "GKE", server = sim.Server, certificateAuthorityData = sim.CaData, token,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var cluster = (await response.BodyAsync())["cluster"]!;
        Assert.Equal(expires.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)cluster["credentialExpiresAt"]!).ToUnixTimeSeconds());
        Assert.False((bool?)cluster["credentialExpiryWarning"]);
    }

    [Fact]
    public async Task a_kubeconfig_with_several_contexts_needs_one_chosen()
    {
        await using var first = await ClusterApp.StartClusterAsync();
        await using var second = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var merged = MergedKubeconfig(first, second);

        var unchosen = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = second.Name, provider = "AKS", kubeconfig = merged });
        var chosen = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = second.Name, provider = "AKS", kubeconfig = merged, context = second.Name });

        Assert.Equal(HttpStatusCode.BadRequest, unchosen.StatusCode);
        var error = (string)(await unchosen.BodyAsync())["errors"]!["context"]![0]!;
        Assert.Contains(first.Name, error);
        Assert.Contains(second.Name, error);
        Assert.Equal(HttpStatusCode.Created, chosen.StatusCode);
        Assert.Equal(second.Server, (string?)(await chosen.BodyAsync())["cluster"]!["server"]);
    }

    [Fact]
    public async Task a_duplicate_cluster_name_is_refused_with_409()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        await ClusterApp.RegisterAsync(admin, sim);

        var again = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = sim.Name, provider = "Other", kubeconfig = sim.AdminKubeconfigYaml });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.NotNull((await again.BodyAsync())["errors"]!["name"]);
    }

    [Fact]
    public async Task only_platform_admins_register_clusters_and_a_plain_user_sees_none()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var registered = await ClusterApp.RegisterAsync(admin, sim);
        var user = await app.CreateUserAsync("User");

        var attempt = await user.Client.PostAsJsonAsync("/api/v1/clusters", new { name = "x-" + sim.Name, provider = "Other", kubeconfig = sim.AdminKubeconfigYaml });
        var list = await (await user.Client.GetAsync("/api/v1/clusters")).BodyAsync();
        var one = await user.Client.GetAsync($"/api/v1/clusters/{registered["cluster"]!["id"]}");
        var nodes = await user.Client.GetAsync($"/api/v1/clusters/{registered["cluster"]!["id"]}/nodes");

        Assert.Equal(HttpStatusCode.Forbidden, attempt.StatusCode);
        Assert.Equal(0, (int?)list["total"]);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nodes.StatusCode);
    }

    private static string MergedKubeconfig(KubeSimCluster a, KubeSimCluster b) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {a.Name}
          cluster: {"{"}server: "{a.Server}", certificate-authority-data: "{a.CaData}"{"}"}
        - name: {b.Name}
          cluster: {"{"}server: "{b.Server}", certificate-authority-data: "{b.CaData}"{"}"}
        users:
        - name: {a.Name}
          user: {"{"}token: "{a.AdminToken}"{"}"}
        - name: {b.Name}
          user: {"{"}token: "{b.AdminToken}"{"}"}
        contexts:
        - name: {a.Name}
          context: {"{"}cluster: {a.Name}, user: {a.Name}{"}"}
        - name: {b.Name}
          context: {"{"}cluster: {b.Name}, user: {b.Name}{"}"}
        """;
}
