using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// Deactivating a user ends every access they had on the clusters, within seconds: grants revoked (as events, by
/// the admin who deactivated) and taken off the cluster, RoleBindings without them. Removing a member ends what
/// the membership gave: the RoleBindings and the grants into that workspace's service maps.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class AccessEndsWithMembershipTests(TenancyApp app)
{
    [Fact]
    public async Task a_deactivated_users_kubeconfig_is_refused_by_the_cluster_and_their_grant_shows_revoked_by_the_admin()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "leaver");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        var grant = await Grants.GrantAsync(t.Admin, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "Cluster", role = "edit",
            validUntil = DateTimeOffset.UtcNow.AddDays(1), reason = "on call",
        });
        var id = (string)grant["grant"]!["id"]!;
        await Grants.WaitForStateAsync(t.Admin, id, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(t.Developer.Client, id));
        await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before" } }, "leaver");

        var deactivated = await t.Admin.PostAsync($"/api/v1/users/{t.Developer.Id}/deactivate", null);

        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        await Eventually.TrueAsync(async () => await RefusedAsync(() => kube.CoreV1.ListNamespacedConfigMapAsync("leaver")),
            TimeSpan.FromSeconds(10), "the deactivated user's token to be refused");
        Assert.True(await RefusedAsync(() => kube.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, "leaver")));
        var revoked = await Grants.WaitForStateAsync(t.Admin, id, "Revoked", 10);
        Assert.Equal("user deactivated", (string?)revoked["grant"]!["revocationReason"]);
        Assert.Equal(CocktailApp.AdminUserName, (string?)revoked["grant"]!["revokedBy"]);
        using var clusterAdmin = t.Kube();
        await Eventually.TrueAsync(async () =>
        {
            var binding = await clusterAdmin.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("cocktail-workspace-developers", "leaver");
            return binding.Subjects is null || binding.Subjects.All(s => s.Name != $"cocktail:{t.Developer.UserName}");
        }, TimeSpan.FromSeconds(10), "the deactivated developer to leave the RoleBinding");
    }

    [Fact]
    public async Task reactivating_a_user_gives_back_the_bindings_of_their_workspaces_but_not_their_revoked_grants()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "comeback");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        using var clusterAdmin = t.Kube();
        var subject = $"cocktail:{t.Viewer.UserName}";

        Assert.Equal(HttpStatusCode.OK, (await t.Admin.PostAsync($"/api/v1/users/{t.Viewer.Id}/deactivate", null)).StatusCode);
        await Eventually.TrueAsync(async () => !await BoundAsync(clusterAdmin, "cocktail-workspace-viewers", "comeback", subject),
            TimeSpan.FromSeconds(10), "the viewer to leave the RoleBinding");
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.PostAsync($"/api/v1/users/{t.Viewer.Id}/reactivate", null)).StatusCode);
        await Eventually.TrueAsync(async () => await BoundAsync(clusterAdmin, "cocktail-workspace-viewers", "comeback", subject),
            TimeSpan.FromSeconds(10), "the viewer to be bound again");
    }

    [Fact]
    public async Task removing_a_member_ends_their_bindings_and_the_grants_into_that_workspaces_service_maps_but_not_cluster_grants()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "moved-on");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        var mapGrant = (string)(await Grants.GrantAsync(t.WorkspaceAdmin.Client, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "ServiceMap", serviceMapId = map["id"], role = "edit",
            validUntil = DateTimeOffset.UtcNow.AddHours(8), reason = "release",
        }))["grant"]!["id"]!;
        var clusterGrant = (string)(await Grants.GrantAsync(t.Admin, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "Cluster", role = "view",
            validUntil = DateTimeOffset.UtcNow.AddHours(8), reason = "platform on-call",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(t.Admin, mapGrant, "Active");
        await Grants.WaitForStateAsync(t.Admin, clusterGrant, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(t.Developer.Client, mapGrant));
        await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before" } }, "moved-on");

        var removed = await t.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/workspaces/{t.WorkspaceId}/members/{t.Developer.Id}");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        await Eventually.TrueAsync(async () => await RefusedAsync(() => kube.CoreV1.ListNamespacedConfigMapAsync("moved-on")),
            TimeSpan.FromSeconds(10), "the removed member's service map token to be refused");
        var revoked = await Grants.WaitForStateAsync(t.Admin, mapGrant, "Revoked", 10);
        Assert.Equal($"removed from workspace {t.WorkspaceName}", (string?)revoked["grant"]!["revocationReason"]);
        Assert.Equal(t.WorkspaceAdmin.UserName, (string?)revoked["grant"]!["revokedBy"]);
        using var clusterAdmin = t.Kube();
        await Eventually.TrueAsync(async () => !await BoundAsync(clusterAdmin, "cocktail-workspace-developers", "moved-on", $"cocktail:{t.Developer.UserName}"),
            TimeSpan.FromSeconds(10), "the removed member to leave the RoleBinding");
        var cluster = await (await t.Admin.GetAsync($"/api/v1/access-grants/{clusterGrant}")).BodyAsync();
        Assert.Equal("Active", (string?)cluster["state"]);
    }

    private static async Task<bool> BoundAsync(IKubernetes kube, string binding, string ns, string subject) =>
        (await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(binding, ns)).Subjects?.Any(s => s.Name == subject) == true;

    /// <summary>The cluster refuses the token: 401 once its ServiceAccount is gone, 403 while only its binding is.</summary>
    private static async Task<bool> RefusedAsync(Func<Task> call)
    {
        try { await call(); return false; }
        catch (HttpOperationException e) { return e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden; }
    }
}
