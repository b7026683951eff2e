using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Integration.Tests.Tenancy;

[Collection(TenancyCollection.Name)]
public sealed class ServiceMapReconcilingTests(TenancyApp app)
{
    [Fact]
    public async Task a_service_map_becomes_exactly_its_objects_on_the_cluster_and_turns_ready()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var created = await t.CreateServiceMapAsync(t.Developer.Client, "shop", podSecurity: "restricted",
            quota: new { cpu = "2", memory = "4Gi", gpu = "1", storage = "20Gi", pods = "15" });
        Assert.Equal("Pending", (string?)created["status"]);

        var ready = await t.WaitForStatusAsync((string)created["id"]!, "Ready");

        Assert.Equal("shop", (string?)ready["namespace"]);
        using var kube = t.Kube();
        var ns = await kube.CoreV1.ReadNamespaceAsync("shop");
        Assert.Equal(t.WorkspaceId, ns.Metadata.Labels["cocktail.io/workspace"]);
        Assert.Equal((string)created["id"]!, ns.Metadata.Labels["cocktail.io/service-map"]);
        Assert.Equal("restricted", ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        var quota = await kube.CoreV1.ReadNamespacedResourceQuotaAsync("cocktail-quota", "shop");
        Assert.Equal(new Dictionary<string, string>
        {
            ["requests.cpu"] = "2", ["requests.memory"] = "4Gi", ["requests.nvidia.com/gpu"] = "1", ["requests.storage"] = "20Gi", ["pods"] = "15",
        }, quota.Spec.Hard.ToDictionary(h => h.Key, h => h.Value.ToString()));
        var limits = await kube.CoreV1.ReadNamespacedLimitRangeAsync("cocktail-defaults", "shop");
        Assert.Equal("500m", limits.Spec.Limits[0].DefaultProperty["cpu"].ToString());
        var bindings = (await kube.RbacAuthorizationV1.ListNamespacedRoleBindingAsync("shop")).Items.ToDictionary(b => b.Metadata.Name);
        Assert.Equal(["cocktail-workspace-admins", "cocktail-workspace-developers", "cocktail-workspace-viewers"], bindings.Keys.Order());
        Assert.Equal(("admin", $"cocktail:{t.WorkspaceAdmin.UserName}"), (bindings["cocktail-workspace-admins"].RoleRef.Name, bindings["cocktail-workspace-admins"].Subjects.Single().Name));
        Assert.Equal(("edit", $"cocktail:{t.Developer.UserName}"), (bindings["cocktail-workspace-developers"].RoleRef.Name, bindings["cocktail-workspace-developers"].Subjects.Single().Name));
        Assert.Equal(("view", $"cocktail:{t.Viewer.UserName}"), (bindings["cocktail-workspace-viewers"].RoleRef.Name, bindings["cocktail-workspace-viewers"].Subjects.Single().Name));
        var policy = await kube.NetworkingV1.ReadNamespacedNetworkPolicyAsync("cocktail-workspace-isolation", "shop");
        Assert.Equal(t.WorkspaceId, policy.Spec.Ingress[0].FromProperty[0].NamespaceSelector.MatchLabels["cocktail.io/workspace"]);
        Assert.Equal("DoesNotExist", policy.Spec.Ingress[0].FromProperty[1].NamespaceSelector.MatchExpressions[0].OperatorProperty);
        Assert.Contains(quota.Metadata.ManagedFields, f => f.Manager == "cocktail" && f.Operation == "Apply");
    }

    [Fact]
    public async Task the_cluster_refuses_a_pod_over_the_service_map_quota_and_a_privileged_pod_in_a_baseline_one()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "tight", quota: new { cpu = "500m", memory = "1Gi", gpu = "0", storage = "1Gi", pods = "5" });
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        using var kube = t.Kube();

        var overQuota = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.CreateNamespacedPodAsync(
            Pod("big", cpu: "2", privileged: false), "tight"));
        var privileged = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.CreateNamespacedPodAsync(
            Pod("root", cpu: "100m", privileged: true), "tight"));

        Assert.Equal(HttpStatusCode.Forbidden, overQuota.Response.StatusCode);
        Assert.Contains("exceeded quota: cocktail-quota", overQuota.Response.Content);
        Assert.Equal(HttpStatusCode.Forbidden, privileged.Response.StatusCode);
        Assert.Contains("violates PodSecurity \\\"baseline:latest\\\"", privileged.Response.Content);
        var fits = await kube.CoreV1.CreateNamespacedPodAsync(Pod("small", cpu: "100m", privileged: false), "tight");
        Assert.Equal("small", fits.Metadata.Name);
    }

    [Fact]
    public async Task quota_and_bindings_changed_by_hand_are_put_back_and_recorded()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "drifty");
        var id = (string)map["id"]!;
        await t.WaitForStatusAsync(id, "Ready");
        using var kube = t.Kube();

        var quota = await kube.CoreV1.ReadNamespacedResourceQuotaAsync("cocktail-quota", "drifty");
        quota.Spec.Hard["requests.cpu"] = new ResourceQuantity("64");
        await kube.CoreV1.ReplaceNamespacedResourceQuotaAsync(quota, "cocktail-quota", "drifty");
        var binding = await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("cocktail-workspace-admins", "drifty");
        binding.Subjects.Add(new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = "mallory" });
        await kube.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(binding, "cocktail-workspace-admins", "drifty");

        var drift = await ClusterApp.WaitForAsync(t.Admin, $"/api/v1/audit/events?streamId={id}&type=DriftCorrected",
            page => (int?)page["total"] >= 1, "the drift correction", seconds: 30);

        var findings = drift["items"]![0]!["data"]!["findings"]!.AsArray().Select(f => (string?)f).ToList();
        Assert.Contains(findings, f => f!.Contains("requests.cpu is 64, 1 wanted"));
        Assert.Contains(findings, f => f!.Contains("mallory"));
        Assert.Equal("1", (await kube.CoreV1.ReadNamespacedResourceQuotaAsync("cocktail-quota", "drifty")).Spec.Hard["requests.cpu"].ToString());
        Assert.DoesNotContain((await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("cocktail-workspace-admins", "drifty")).Subjects,
            s => s.Name == "mallory");
    }

    [Fact]
    public async Task an_unreachable_cluster_leaves_the_service_map_pending_until_it_returns()
    {
        await using var t = await Tenancy.CreateAsync(app);
        await t.Sim.Faults.StopAnsweringAsync();
        await ClusterApp.WaitForAsync(t.Admin, $"/api/v1/clusters/{t.ClusterId}", c => (string?)c["cluster"]!["health"] == "Unreachable", "Unreachable");

        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "later");
        var id = (string)map["id"]!;
        await Task.Delay(TimeSpan.FromSeconds(3)); // a drift pass has run meanwhile: the cluster still does not answer
        Assert.Equal("Pending", (string?)(await (await t.Admin.GetAsync($"/api/v1/service-maps/{id}")).BodyAsync())["status"]);

        await t.Sim.Faults.ResumeAsync();

        await t.WaitForStatusAsync(id, "Ready", seconds: 30);
        using var kube = t.Kube();
        Assert.Equal("later", (await kube.CoreV1.ReadNamespacedResourceQuotaAsync("cocktail-quota", "later")).Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task work_left_undone_when_cocktail_stopped_is_done_after_a_restart()
    {
        var sim = await ClusterApp.StartClusterAsync();
        var first = new TenancyApp();
        await first.InitializeAsync();
        var t = await Tenancy.CreateAsync(first, sim: sim);
        await sim.Faults.StopAnsweringAsync();
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "resumed"))["id"]!;
        var database = first.ConnectionString;
        await first.DisposeAsync(); // Cocktail stops before the cluster ever got the namespace

        await sim.Faults.ResumeAsync();
        await using var second = (TenancyApp)new TenancyApp().WithDatabase(database);
        await second.InitializeAsync();
        using var admin = await second.AsAdminAsync();

        await ClusterApp.WaitForAsync(admin, $"/api/v1/service-maps/{id}", m => (string?)m["status"] == "Ready", "Ready after the restart", 30);
        using var kube = t.Kube();
        Assert.Equal("resumed", (await kube.CoreV1.ReadNamespaceAsync("resumed")).Metadata.Name);
        await sim.DisposeAsync();
    }

    [Fact]
    public async Task a_member_change_reaches_the_role_bindings()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "team"))["id"]!;
        await t.WaitForStatusAsync(id, "Ready");
        var newcomer = await app.CreateUserAsync();

        await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/members", new { userName = newcomer.UserName, role = "Developer" });
        await t.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/workspaces/{t.WorkspaceId}/members/{t.Viewer.Id}");

        using var kube = t.Kube();
        await Cocktail.Testing.Eventually.TrueAsync(async () =>
        {
            var developers = await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("cocktail-workspace-developers", "team");
            var viewers = await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("cocktail-workspace-viewers", "team");
            return developers.Subjects.Any(s => s.Name == $"cocktail:{newcomer.UserName}") && (viewers.Subjects is null || viewers.Subjects.Count == 0);
        }, because: "the bindings to follow the members");
    }

    [Fact]
    public async Task deleting_a_service_map_needs_the_namespace_typed_and_then_removes_the_namespace()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var id = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "gone-soon"))["id"]!;
        await t.WaitForStatusAsync(id, "Ready");

        var unconfirmed = await t.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/service-maps/{id}?confirm=wrong");
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.NotNull((await unconfirmed.BodyAsync())["errors"]!["confirm"]);

        var deleted = await t.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/service-maps/{id}?confirm=gone-soon");

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        await Cocktail.Testing.Eventually.TrueAsync(async () => (await t.Admin.GetAsync($"/api/v1/service-maps/{id}")).StatusCode == HttpStatusCode.NotFound,
            because: "the service map to go once its namespace is gone");
        using var kube = t.Kube();
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.ReadNamespaceAsync("gone-soon"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        var workspace = await (await t.Admin.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}")).BodyAsync();
        Assert.Equal(0, (int?)workspace["serviceMapCount"]);
    }

    private static V1Pod Pod(string name, string cpu, bool privileged) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "app", Image = "nginx:1.27",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("64Mi") } },
                    SecurityContext = privileged ? new V1SecurityContext { Privileged = true } : null,
                },
            ],
        },
    };
}
