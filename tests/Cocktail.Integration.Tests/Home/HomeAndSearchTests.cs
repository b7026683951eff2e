using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using WorkloadCalls = Cocktail.Integration.Tests.Workloads.Workloads;

namespace Cocktail.Integration.Tests.Home;

/// <summary>
/// GET /api/v1/home and GET /api/v1/search answer with what the caller may see: a member their own workspaces,
/// workloads, grants and the requests they decide, never another team's or the fleet's figures; a platform admin the
/// fleet and the clusters in trouble.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class HomeAndSearchTests(TenancyApp app)
{
    [Fact]
    public async Task a_member_s_home_holds_their_own_workspaces_workloads_grants_and_requests_and_no_fleet_figures()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        await using var b = await Tenancy.Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var aMap = (string)(await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, "home-a-" + Guid.NewGuid().ToString("N")[..6],
            quota: new { cpu = "500m", memory = "1Gi", gpu = "0", storage = "1Gi", pods = "10" }))["id"]!;
        var bMap = (string)(await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "home-b-" + Guid.NewGuid().ToString("N")[..6]))["id"]!;
        await a.WaitForStatusAsync(aMap, "Ready");
        await b.WaitForStatusAsync(bMap, "Ready");
        var stalled = (string)(await WorkloadCalls.DeployAsync(a.Developer.Client, aMap, WorkloadCalls.Web(cpu: "200m", replicas: 3)))["id"]!;
        var foreign = (string)(await WorkloadCalls.DeployAsync(b.Developer.Client, bMap, WorkloadCalls.Web(image: "registry.example.com/does-not-exist:1")))["id"]!;
        await WorkloadCalls.WaitForRolloutAsync(a.Developer.Client, stalled, "Stalled");
        await WorkloadCalls.WaitForRolloutAsync(b.Developer.Client, foreign, "Stalled");
        var until = DateTimeOffset.UtcNow.AddHours(6);
        await Grants.GrantAsync(a.WorkspaceAdmin.Client, new
        {
            userId = a.Developer.Id, clusterId = a.ClusterId, scope = "ServiceMap", serviceMapId = aMap, role = "edit", validUntil = until, reason = "home",
        });
        (await a.Developer.Client.PostAsJsonAsync("/api/v1/access-requests", new
        {
            clusterId = a.ClusterId, scope = "ServiceMap", serviceMapId = aMap, role = "admin", durationHours = 2, reason = "home",
        })).EnsureSuccessStatusCode();

        var developer = await HomeAsync(a.Developer.Client);
        var workspaceAdmin = await HomeAsync(a.WorkspaceAdmin.Client);
        var stranger = await HomeAsync(b.WorkspaceAdmin.Client);

        var workspace = developer["workspaces"]!.AsArray().Single()!;
        Assert.Equal(a.WorkspaceName, (string?)workspace["name"]);
        Assert.Equal("Developer", (string?)workspace["role"]);
        var cpu = workspace["clusters"]![0]!["resources"]!.AsArray().Single(r => (string?)r!["resource"] == "cpu")!;
        Assert.Equal(("500m", "4"), ((string?)cpu["allocated"], (string?)cpu["quota"]));
        Assert.Equal([stalled], developer["unhealthyWorkloads"]!.AsArray().Select(w => (string?)w!["id"]));
        var grant = developer["grants"]!.AsArray().Single()!;
        Assert.Equal("edit", (string?)grant["role"]);
        Assert.NotNull((string?)grant["namespace"]);
        Assert.Equal(until.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)grant["validUntil"]!).ToUnixTimeSeconds());
        Assert.Equal(0, (int?)developer["waiting"]!["accessRequests"]);
        Assert.Null(developer["fleet"]);
        Assert.Null(developer["clustersInTrouble"]);
        foreach (var secret in new[] { b.WorkspaceName, bMap, foreign })
            Assert.DoesNotContain(secret, developer.ToJsonString());

        Assert.Equal(1, (int?)workspaceAdmin["waiting"]!["accessRequests"]);
        Assert.Equal("/access/requests", (string?)workspaceAdmin["waiting"]!["items"]![0]!["link"]);
        Assert.Equal(0, (int?)workspaceAdmin["waiting"]!["quotaRequests"]);
        Assert.Equal(0, (int?)stranger["waiting"]!["accessRequests"]);
        Assert.Equal([foreign], stranger["unhealthyWorkloads"]!.AsArray().Select(w => (string?)w!["id"]));
        Assert.DoesNotContain(a.WorkspaceName, stranger.ToJsonString());
    }

    [Fact]
    public async Task a_platform_admin_s_home_counts_the_fleet_and_lists_a_cluster_that_stopped_answering()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        await using var sim = await ClusterApp.StartClusterAsync();
        var down = (string)(await ClusterApp.RegisterAsync(t.Admin, sim))["cluster"]!["id"]!;
        await sim.Faults.StopAnsweringAsync();

        var home = await Eventually.GetAsync(() => HomeAsync(t.Admin),
            h => h["clustersInTrouble"]!.AsArray().Any(c => (string?)c!["id"] == down), TimeSpan.FromSeconds(20), "the cluster in trouble");
        var member = await HomeAsync(t.Developer.Client);

        var trouble = home["clustersInTrouble"]!.AsArray().Single(c => (string?)c!["id"] == down)!;
        Assert.Equal("Unreachable", (string?)trouble["health"]);
        var fleet = home["fleet"]!;
        Assert.True((int)fleet["clusters"]!["Unreachable"]! >= 1);
        Assert.True((int)fleet["workspaces"]! >= 1);
        Assert.True((int)fleet["users"]! >= 4);
        Assert.Null(member["fleet"]);
        Assert.Null(member["clustersInTrouble"]);
        Assert.DoesNotContain(down, member.ToJsonString());
    }

    [Fact]
    public async Task search_finds_only_what_the_caller_may_see_and_users_only_for_platform_admins()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        await using var b = await Tenancy.Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var aMap = (string)(await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, $"find-{tag}-a"))["id"]!;
        var bMap = (string)(await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, $"find-{tag}-b"))["id"]!;
        var workload = (string)(await WorkloadCalls.DeployAsync(a.Developer.Client, aMap, WorkloadCalls.Web()))["id"]!;

        var maps = await SearchAsync(a.Viewer.Client, $"find-{tag}");
        var workloads = await SearchAsync(a.Viewer.Client, "web");
        var workspaces = await SearchAsync(a.Viewer.Client, "ws-");
        var people = await SearchAsync(a.Viewer.Client, b.WorkspaceAdmin.UserName);
        var asAdmin = await SearchAsync(a.Admin, b.WorkspaceAdmin.UserName);
        var everyMap = await SearchAsync(a.Admin, $"find-{tag}");
        var tooShort = await SearchAsync(a.Viewer.Client, "w");
        var tooLong = await a.Viewer.Client.GetAsync($"/api/v1/search?search={new string('x', 101)}");

        Assert.Equal([("ServiceMap", aMap, $"/service-maps/{aMap}")], maps.Select(h => ((string)h["kind"]!, (string)h["id"]!, (string)h["link"]!)));
        Assert.Contains(workloads, h => (string?)h["kind"] == "Workload" && (string?)h["id"] == workload && (string?)h["link"] == $"/workloads/{workload}");
        Assert.Contains(workspaces, h => (string?)h["id"] == a.WorkspaceId);
        Assert.DoesNotContain(workspaces, h => (string?)h["id"] == b.WorkspaceId);
        Assert.Empty(people);
        Assert.Contains(asAdmin, h => (string?)h["kind"] == "User" && (string?)h["name"] == b.WorkspaceAdmin.UserName);
        Assert.Equal([aMap, bMap], everyMap.Where(h => (string?)h["kind"] == "ServiceMap").Select(h => (string)h["id"]!).Order());
        Assert.Empty(tooShort);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("search", (await tooLong.BodyAsync())["errors"]!.AsObject().Select(e => e.Key));
    }

    private static async Task<JsonNode> HomeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/home");
        var body = await response.BodyAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    private static async Task<IReadOnlyList<JsonNode>> SearchAsync(HttpClient client, string text)
    {
        var response = await client.GetAsync($"/api/v1/search?search={Uri.EscapeDataString(text)}");
        var body = await response.BodyAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body.ToJsonString()}");
        return body.AsArray().Select(h => h!).ToList();
    }
}
