using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Tenancy;

[Collection(TenancyCollection.Name)]
public sealed class WorkspacesApiTests(TenancyApp app)
{
    [Fact]
    public async Task a_service_map_over_the_workspace_quota_is_refused_saying_by_how_much()
    {
        await using var t = await Tenancy.CreateAsync(app, quota: new { cpu = "4", memory = "8Gi", gpu = "1", storage = "50Gi", pods = "40" });
        await t.CreateServiceMapAsync(t.Developer.Client, "first", quota: new { cpu = "3", memory = "6Gi", gpu = "1", storage = "10Gi", pods = "20" });

        var response = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/service-maps", new
        {
            name = "second", clusterId = t.ClusterId, quota = new { cpu = "1500m", memory = "3Gi", gpu = "0", storage = "10Gi", pods = "10" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cpu by 500m, memory by 1Gi", (string?)(await response.BodyAsync())["errors"]!["quota"]![0]);
        var workspace = await (await t.Admin.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}")).BodyAsync();
        Assert.Equal(1, (int?)workspace["serviceMapCount"]);
    }

    [Theory]
    [InlineData("""{"name":"x","clusterId":"00000000-0000-0000-0000-000000000001","quota":{"cpu":"lots"}}""", "quota")]
    [InlineData("""{"name":"x","clusterId":"00000000-0000-0000-0000-000000000001","quota":{"pods":"1.5"}}""", "quota")]
    [InlineData("""{"name":"x","clusterId":"00000000-0000-0000-0000-000000000001"}""", "quota")]
    [InlineData("""{"name":"x","clusterId":"00000000-0000-0000-0000-000000000001","quota":{},"podSecurity":"root"}""", "podSecurity")]
    [InlineData("""{"name":"Bad Name","clusterId":"00000000-0000-0000-0000-000000000001","quota":{}}""", "namespace")]
    [InlineData("""{"name":"x","clusterId":"00000000-0000-0000-0000-000000000001","quota":{},"defaultLimits":{"cpu":"1","requestCpu":"2"}}""", "defaultLimits")]
    public async Task invalid_service_map_bodies_get_400_on_the_field(string body, string field)
    {
        await using var t = await Tenancy.CreateAsync(app);

        var response = await t.Developer.Client.PostRawAsync($"/api/v1/workspaces/{t.WorkspaceId}/service-maps", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.BodyAsync())["errors"]![field]);
    }

    [Fact]
    public async Task a_dedicated_cluster_cannot_be_assigned_to_a_second_workspace()
    {
        await using var t = await Tenancy.CreateAsync(app, mode: "Dedicated");
        var other = await (await t.Admin.PostAsJsonAsync("/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] })).BodyAsync();

        var response = await t.Admin.PostAsJsonAsync($"/api/v1/workspaces/{other["id"]}/clusters/{t.ClusterId}",
            new { mode = "Shared", quota = new { cpu = "1" } });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("dedicated to another workspace", (string?)(await response.BodyAsync())["detail"]);
    }

    [Fact]
    public async Task a_workspace_with_service_maps_cannot_be_deleted_and_an_empty_one_can()
    {
        await using var t = await Tenancy.CreateAsync(app);
        await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "keeps-it");
        var empty = await (await t.Admin.PostAsJsonAsync("/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] })).BodyAsync();

        var refused = await t.Admin.DeleteAsync($"/api/v1/workspaces/{t.WorkspaceId}");
        var deleted = await t.Admin.DeleteAsync($"/api/v1/workspaces/{empty["id"]}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("1 service map", (string?)(await refused.BodyAsync())["detail"]);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await t.Admin.GetAsync($"/api/v1/workspaces/{empty["id"]}")).StatusCode);
    }

    [Fact]
    public async Task viewers_change_nothing_and_developers_change_no_quota_and_no_member()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.Developer.Client, "roles");
        var id = (string)map["id"]!;

        var viewerCreates = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/service-maps",
            new { name = "nope", clusterId = t.ClusterId, quota = new { cpu = "1" } });
        var developerQuota = await t.Developer.Client.PatchAsync($"/api/v1/service-maps/{id}", JsonContent.Create(new { quota = new { cpu = "2" } }));
        var developerMember = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/members", new { userId = t.Viewer.Id, role = "WorkspaceAdmin" });
        var adminQuota = await t.WorkspaceAdmin.Client.PatchAsync($"/api/v1/service-maps/{id}",
            JsonContent.Create(new { quota = new { cpu = "2", memory = "2Gi", storage = "10Gi", pods = "10" } }));

        Assert.Equal(HttpStatusCode.Forbidden, viewerCreates.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, developerQuota.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, developerMember.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminQuota.StatusCode);
        Assert.Equal("2", (string?)(await adminQuota.BodyAsync())["quota"]!["cpu"]);
        Assert.Equal(HttpStatusCode.OK, (await t.Viewer.Client.GetAsync($"/api/v1/service-maps/{id}")).StatusCode);
    }

    [Fact]
    public async Task a_quota_request_is_approved_by_an_admin_and_the_quota_changes_or_is_rejected_with_a_reason()
    {
        await using var t = await Tenancy.CreateAsync(app, quota: new { cpu = "4", memory = "8Gi" });
        var ask = await t.Developer.Client.PostAsJsonAsync("/api/v1/quota-requests", new
        {
            workspaceId = t.WorkspaceId, clusterId = t.ClusterId, quota = new { cpu = "8", memory = "16Gi" }, reason = "Load test next week",
        });
        Assert.Equal(HttpStatusCode.Created, ask.StatusCode);
        var request = await ask.BodyAsync();
        Assert.Equal("Pending", (string?)request["state"]);
        Assert.Equal(t.Developer.UserName, (string?)request["requestedBy"]);

        var developerApproves = await t.Developer.Client.PostAsync($"/api/v1/quota-requests/{request["id"]}/approve", null);
        var approved = await t.Admin.PostAsync($"/api/v1/quota-requests/{request["id"]}/approve", null);

        Assert.Equal(HttpStatusCode.Forbidden, developerApproves.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        var workspace = await (await t.Admin.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}")).BodyAsync();
        Assert.Equal("8", (string?)workspace["clusters"]![0]!["quota"]!["cpu"]);
        var events = await (await t.Admin.GetAsync($"/api/v1/audit/events?type=WorkspaceAssignmentChanged&pageSize=200")).BodyAsync();
        Assert.Contains(events["items"]!.AsArray(), e => (string?)e!["data"]!["quotaRequestId"] == (string?)request["id"]);

        var second = await (await t.Developer.Client.PostAsJsonAsync("/api/v1/quota-requests", new
        {
            workspaceId = t.WorkspaceId, clusterId = t.ClusterId, quota = new { cpu = "64" }, reason = "Just in case",
        })).BodyAsync();
        var noReason = await t.Admin.PostAsJsonAsync($"/api/v1/quota-requests/{second["id"]}/reject", new { reason = "" });
        var rejected = await t.Admin.PostAsJsonAsync($"/api/v1/quota-requests/{second["id"]}/reject", new { reason = "Use the shared pool" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, rejected.StatusCode);
        var inbox = await (await t.Developer.Client.GetAsync($"/api/v1/quota-requests?workspaceId={t.WorkspaceId}")).BodyAsync();
        var decided = inbox["items"]!.AsArray().Single(r => (string?)r!["id"] == (string?)second["id"])!;
        Assert.Equal(("Rejected", "Use the shared pool"), ((string?)decided["state"], (string?)decided["rejectionReason"]));
    }

    [Fact]
    public async Task members_see_only_their_workspaces_and_the_clusters_assigned_to_them()
    {
        await using var t = await Tenancy.CreateAsync(app);
        await using var elsewhere = await ClusterApp.StartClusterAsync();
        await ClusterApp.RegisterAsync(t.Admin, elsewhere);

        var workspaces = await (await t.Developer.Client.GetAsync("/api/v1/workspaces")).BodyAsync();
        var clusters = await (await t.Developer.Client.GetAsync("/api/v1/clusters")).BodyAsync();

        Assert.Equal([t.WorkspaceName], workspaces["items"]!.AsArray().Select(w => (string?)w!["name"]));
        Assert.Equal([t.ClusterId], clusters["items"]!.AsArray().Select(c => (string?)c!["cluster"]!["id"]));
    }
}
