using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using k8s;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// Who may set which Pod Security level: the workspace's assignment of the cluster has a ceiling (Shared: baseline
/// unless a platform admin raises it; Dedicated: privileged), the security policies bound it from below, and what
/// is refused names the field.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class PodSecurityCeilingTests(TenancyApp app)
{
    private static readonly object FullQuota = new { cpu = "4", memory = "8Gi", gpu = "1", storage = "50Gi", pods = "40" };

    [Fact]
    public async Task a_workspace_admin_cannot_make_a_service_map_on_a_shared_cluster_privileged()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "shared-app");
        var id = (string)map["id"]!;

        var patched = await t.WorkspaceAdmin.Client.PatchAsJsonAsync($"/api/v1/service-maps/{id}", new { podSecurity = "privileged" });
        var created = await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/service-maps", new
        {
            name = "rooted", clusterId = t.ClusterId, quota = new { cpu = "1" }, podSecurity = "privileged",
        });

        await AssertRefusedAsync(patched, "allows at most baseline");
        await AssertRefusedAsync(created, "allows at most baseline");
        var after = await (await t.WorkspaceAdmin.Client.GetAsync($"/api/v1/service-maps/{id}")).BodyAsync();
        Assert.Equal("baseline", ((string?)after["podSecurity"])?.ToLowerInvariant());
        await t.WaitForStatusAsync(id, "Ready");
        using var kube = t.Kube();
        Assert.Equal("baseline", (await kube.CoreV1.ReadNamespaceAsync("shared-app")).Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public async Task a_service_map_created_without_a_level_is_baseline_and_the_console_choices_say_what_is_allowed()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var response = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/service-maps", new
        {
            name = "defaulted", clusterId = t.ClusterId, quota = new { cpu = "1" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("baseline", ((string?)(await response.BodyAsync())["podSecurity"])?.ToLowerInvariant());
    }

    [Fact]
    public async Task only_a_platform_admin_raises_the_ceiling_and_the_change_is_recorded_with_who_did_it()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "node-agent"))["id"]!;

        var byWorkspaceAdmin = await t.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/clusters/{t.ClusterId}",
            new { mode = "Shared", quota = FullQuota, maxPodSecurity = "privileged" });
        var byAdmin = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/clusters/{t.ClusterId}",
            new { mode = "Shared", quota = FullQuota, maxPodSecurity = "privileged" });
        var patched = await t.WorkspaceAdmin.Client.PatchAsJsonAsync($"/api/v1/service-maps/{id}", new { podSecurity = "privileged" });

        Assert.Equal(HttpStatusCode.Forbidden, byWorkspaceAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var cluster = (await byAdmin.BodyAsync())["clusters"]!.AsArray().Single()!;
        Assert.Equal("privileged", ((string?)cluster["maxPodSecurity"])?.ToLowerInvariant());
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            using var kube = t.Kube();
            return (await kube.CoreV1.ReadNamespaceAsync("node-agent")).Metadata.Labels["pod-security.kubernetes.io/enforce"] == "privileged";
        }, TimeSpan.FromSeconds(20), "the namespace to be privileged");
        var events = await (await t.Admin.GetAsync("/api/v1/audit/events?type=AssignmentPodSecurityCeilingChanged&pageSize=200")).BodyAsync();
        Assert.Contains(events["items"]!.AsArray(), e => e!.ToJsonString().Contains(t.WorkspaceId) && e.ToJsonString().Contains(CocktailApp.AdminUserName));
    }

    [Fact]
    public async Task lowering_the_ceiling_holds_an_existing_privileged_service_map_to_it_on_the_cluster()
    {
        await using var t = await Tenancy.CreateAsync(app, mode: "Dedicated");
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "own-cluster", podSecurity: "privileged"))["id"]!;
        await t.WaitForStatusAsync(id, "Ready");
        using var kube = t.Kube();
        Assert.Equal("privileged", (await kube.CoreV1.ReadNamespaceAsync("own-cluster")).Metadata.Labels["pod-security.kubernetes.io/enforce"]);

        var lowered = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/clusters/{t.ClusterId}",
            new { mode = "Dedicated", quota = FullQuota, maxPodSecurity = "baseline" });

        Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        await Eventually.TrueAsync(async () =>
            (await kube.CoreV1.ReadNamespaceAsync("own-cluster")).Metadata.Labels["pod-security.kubernetes.io/enforce"] == "baseline",
            TimeSpan.FromSeconds(20), "the namespace to be held to baseline");
        var map = await (await t.WorkspaceAdmin.Client.GetAsync($"/api/v1/service-maps/{id}")).BodyAsync();
        Assert.Equal("baseline", ((string?)map["podSecurity"])?.ToLowerInvariant());
        await AssertRefusedAsync(await t.WorkspaceAdmin.Client.PatchAsJsonAsync($"/api/v1/service-maps/{id}", new { podSecurity = "privileged" }),
            "allows at most baseline");
    }

    [Fact]
    public async Task a_workspace_policy_bounds_the_level_and_the_refusal_names_the_field()
    {
        await using var t = await Tenancy.CreateAsync(app, mode: "Dedicated");
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "policed", podSecurity: "restricted"))["id"]!;
        var policy = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { podSecurity = "restricted" });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);

        var loosened = await t.WorkspaceAdmin.Client.PatchAsJsonAsync($"/api/v1/service-maps/{id}", new { podSecurity = "privileged" });

        await AssertRefusedAsync(loosened, "requires at least restricted");
        var after = await (await t.WorkspaceAdmin.Client.GetAsync($"/api/v1/service-maps/{id}")).BodyAsync();
        Assert.Equal("restricted", ((string?)after["podSecurity"])?.ToLowerInvariant());
    }

    [Fact]
    public async Task a_dedicated_cluster_allows_privileged_by_default()
    {
        await using var t = await Tenancy.CreateAsync(app, mode: "Dedicated");
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "cni", podSecurity: "privileged");
        Assert.Equal("privileged", ((string?)map["podSecurity"])?.ToLowerInvariant());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string message)
    {
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body.ToJsonString()}");
        var errors = body["errors"]!["podSecurity"]!.AsArray().Select(e => (string)e!).ToList();
        Assert.Contains(errors, e => e.Contains(message));
    }
}
