using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Integration.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class AccessGrantTests(AccessApp app)
{
    [SkippableFact]
    public async Task a_service_map_grant_does_what_its_role_allows_there_and_gets_403_elsewhere()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "payments");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        var user = await app.CreateUserAsync();

        var grant = await Grants.GrantAsync(t.Admin, new
        {
            userId = user.Id, clusterId = t.ClusterId, scope = "ServiceMap", serviceMapId = map["id"], role = "view",
            validUntil = DateTimeOffset.UtcNow.AddHours(4), reason = "Incident 4711",
        });
        var id = (string)grant["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, id, "Active");
        var kubeconfig = await Grants.KubeconfigAsync(user.Client, id);
        using var kube = Grants.Client(kubeconfig);

        var pods = await kube.CoreV1.ListNamespacedPodAsync("payments");
        var create = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, "payments"));
        var elsewhere = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.ListNamespacedPodAsync("default"));
        var everywhere = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.ListNamespaceAsync());

        Assert.Equal("v1", pods.ApiVersion); // a pod list, where the next three calls are refused
        Assert.Equal(HttpStatusCode.Forbidden, create.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, everywhere.Response.StatusCode);
        Assert.Contains("namespace: payments", kubeconfig);

        var get = await Grants.KubectlAsync(kubeconfig, "get", "pods", "-n", "payments");
        Assert.Equal(0, get.ExitCode);
        var canCreate = await Grants.KubectlAsync(kubeconfig, "auth", "can-i", "create", "pods", "-n", "payments");
        Assert.Equal("no", canCreate.Output.Trim());
        var other = await Grants.KubectlAsync(kubeconfig, "get", "pods", "-n", "default");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("Forbidden", other.Output);
    }

    [Fact]
    public async Task a_cluster_grant_binds_the_role_cluster_wide_and_revoking_makes_its_token_401_at_once()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();
        var grant = await Grants.GrantAsync(admin, new
        {
            userId = user.Id, clusterId, scope = "Cluster", role = "edit", validUntil = DateTimeOffset.UtcNow.AddDays(1), reason = "on call",
        });
        var id = (string)grant["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, id, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(user.Client, id));
        var created = await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "allowed" } }, "default");
        Assert.Equal("allowed", created.Metadata.Name);

        var revoked = await admin.PostAsJsonAsync($"/api/v1/access-grants/{id}/revoke", new { reason = "left the team" });

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("Revoked", (string?)(await revoked.BodyAsync())["state"]);
        await Eventually.TrueAsync(async () =>
        {
            try { await kube.CoreV1.ListNamespacedConfigMapAsync("default"); return false; }
            catch (HttpOperationException e) { return e.Response.StatusCode == HttpStatusCode.Unauthorized; }
        }, TimeSpan.FromSeconds(10), "the revoked token to be refused");
        var afterwards = await user.Client.GetAsync($"/api/v1/access-grants/{id}/kubeconfig");
        Assert.Equal(HttpStatusCode.Conflict, afterwards.StatusCode);
        Assert.Contains("revoked", (string?)(await afterwards.BodyAsync())["detail"]);
    }

    [Fact]
    public async Task only_the_grantee_and_platform_admins_download_the_kubeconfig_and_each_download_is_recorded()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();
        var stranger = await app.CreateUserAsync();
        var id = (string)(await Grants.GrantAsync(admin, new
        {
            userId = user.Id, clusterId, scope = "Cluster", role = "view", validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "audit",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, id, "Active");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/v1/access-grants/{id}/kubeconfig")).StatusCode);
        var first = await Grants.KubeconfigAsync(user.Client, id);
        var second = await Grants.KubeconfigAsync(user.Client, id);

        Assert.NotEqual(Token(first), Token(second)); // downloading again issues a fresh token
        var tokenExp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(JwtClaim(Token(first), "exp")));
        Assert.True(tokenExp <= DateTimeOffset.UtcNow.AddHours(2).AddSeconds(5), $"token exp {tokenExp:O} outlives the grant");
        var issued = await (await admin.GetAsync($"/api/v1/audit/events?streamId={id}&type=KubeconfigIssued")).BodyAsync();
        Assert.Equal(2, (int?)issued["total"]);
        Assert.Equal(user.UserName, (string?)issued["items"]![0]!["data"]!["issuedTo"]!["name"]);
    }

    [Theory]
    [InlineData("ServiceMap", "cluster-admin", "role")]
    [InlineData("Cluster", "view", "validUntil")]
    public async Task grants_against_the_rules_are_refused_on_the_field(string scope, string role, string field)
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "rules");
        var response = await t.Admin.PostAsJsonAsync("/api/v1/access-grants", new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope, serviceMapId = scope == "ServiceMap" ? map["id"] : null, role,
            validUntil = field == "validUntil" ? DateTimeOffset.UtcNow.AddDays(31) : DateTimeOffset.UtcNow.AddDays(1), reason = "x",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.BodyAsync())["errors"]![field]);
    }

    [Fact]
    public async Task a_workspace_admin_grants_access_to_its_own_service_maps_but_not_cluster_wide()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "own");
        var until = DateTimeOffset.UtcNow.AddHours(1);

        var own = await t.WorkspaceAdmin.Client.PostAsJsonAsync("/api/v1/access-grants", new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "ServiceMap", serviceMapId = map["id"], role = "edit", validUntil = until, reason = "deploy",
        });
        var wide = await t.WorkspaceAdmin.Client.PostAsJsonAsync("/api/v1/access-grants", new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "Cluster", role = "view", validUntil = until, reason = "look",
        });

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wide.StatusCode);
    }

    [Fact]
    public async Task a_user_requests_access_an_admin_approves_and_the_grant_works()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();

        var requested = await user.Client.PostAsJsonAsync("/api/v1/access-requests", new
        {
            clusterId, scope = "Cluster", role = "view", durationHours = 8, reason = "debug ingress",
        });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var request = await requested.BodyAsync();
        // Not an approver: to them the request might as well not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await user.Client.PostAsync($"/api/v1/access-requests/{request["id"]}/approve", null)).StatusCode);
        var approved = await admin.PostAsync($"/api/v1/access-requests/{request["id"]}/approve", null);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var grant = (await approved.BodyAsync())["grant"]!;
        Assert.Equal(user.UserName, (string?)grant["userName"]);
        Assert.Equal((string?)request["id"], (string?)grant["requestId"]);
        Assert.Equal("admin", (string?)grant["grantedBy"]);
        var until = DateTimeOffset.Parse((string)grant["validUntil"]!);
        Assert.InRange(until - DateTimeOffset.Parse((string)grant["validFrom"]!), TimeSpan.FromHours(8) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(8) + TimeSpan.FromSeconds(1));
        await Grants.WaitForStateAsync(user.Client, (string)grant["id"]!, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(user.Client, (string)grant["id"]!));
        Assert.Equal("v1", (await kube.CoreV1.ListNamespacedPodAsync("default")).ApiVersion); // view binds cluster-wide; it does not include nodes
        var mine = await (await user.Client.GetAsync("/api/v1/access-requests?mine=true")).BodyAsync();
        Assert.Equal("Approved", (string?)mine["items"]!.AsArray().Single(r => (string?)r!["id"] == (string?)request["id"])!["state"]);
    }

    private static string Token(string kubeconfig) =>
        kubeconfig.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("token:"))["token:".Length..].Trim();

    private static string JwtClaim(string jwt, string claim)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.GetProperty(claim).ToString();
    }
}
