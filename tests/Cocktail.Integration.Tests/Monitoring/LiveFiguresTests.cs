using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using k8s;
using WorkloadApi = Cocktail.Integration.Tests.Workloads.Workloads;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// What needs no Prometheus: live CPU and memory from the cluster's metrics.k8s.io, the fleet overview, a workspace's
/// use of its quotas, and the answers a chart gives when the cluster has no Prometheus or the range is wrong.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class LiveFiguresTests(TenancyApp app)
{
    [Fact]
    public async Task a_workloads_live_usage_is_what_metrics_server_measures_of_its_pods()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var (mapId, ns, workloadId) = await DeployWebAsync(team, replicas: 2);

        var usage = await Eventually.GetAsync(async () => await (await team.Viewer.Client.GetAsync($"/api/v1/workloads/{workloadId}/live-usage")).BodyAsync(),
            u => u["items"]?.AsArray().Count == 2, because: "both pods measured");

        var measured = await PodMetricsAsync(team, ns);
        var items = usage["items"]!.AsArray();
        Assert.All(items, i => Assert.Equal("Pod", (string?)i!["kind"]));
        Assert.All(items, i => Assert.StartsWith("web-", (string)i!["name"]!));
        Assert.Equal(measured.Values.Sum(m => m.CpuMillis), (long)usage["cpuMillis"]!);
        Assert.Equal(measured.Values.Sum(m => m.MemoryBytes), (long)usage["memoryBytes"]!);
        // 20-70 % of each pod's 100m request, as KubeSim's metrics-server reports it.
        Assert.All(items, i => Assert.InRange((long)i!["cpuMillis"]!, 20, 70));
        var map = await (await team.Viewer.Client.GetAsync($"/api/v1/service-maps/{mapId}/live-usage")).BodyAsync();
        Assert.Equal(measured.Keys.Order(), map["items"]!.AsArray().Select(i => (string)i!["name"]!).Order());
    }

    [Fact]
    public async Task a_clusters_live_usage_lists_its_nodes_and_a_members_node_usage_only_their_pods()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        await using var b = await Tenancy.Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var (_, aNs, _) = await DeployWebAsync(a, replicas: 2);
        var (_, bNs, _) = await DeployWebAsync(b, replicas: 2);

        var nodes = await (await b.Viewer.Client.GetAsync($"/api/v1/clusters/{a.ClusterId}/live-usage")).BodyAsync();
        Assert.Equal(a.Sim.Objects.List("v1", "Node").Select(n => (string)n["metadata"]!["name"]!).Order(),
            nodes["items"]!.AsArray().Select(n => (string)n!["name"]!).Order());

        var onNodes = new List<JsonNode>();
        foreach (var node in nodes["items"]!.AsArray().Select(n => (string)n!["name"]!))
            onNodes.AddRange((await (await b.Viewer.Client.GetAsync($"/api/v1/clusters/{a.ClusterId}/nodes/{node}/live-usage")).BodyAsync())["items"]!
                .AsArray().Select(i => i!));
        Assert.NotEmpty(onNodes);
        Assert.All(onNodes, p => Assert.Equal(bNs, (string?)p["namespace"]));
        Assert.DoesNotContain(onNodes, p => (string?)p["namespace"] == aNs);
    }

    [Fact]
    public async Task the_fleet_shows_admins_every_cluster_and_members_only_their_workspaces_clusters()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        // A namespace of their own, so that there is something to ask the cluster's (missing) Prometheus about.
        await team.CreateServiceMapAsync(team.WorkspaceAdmin.Client, "fleet-" + Guid.NewGuid().ToString("N")[..8]);
        await using var other = await ClusterApp.StartClusterAsync(nodes: 1);
        using var admin = await app.AsAdminAsync();
        var otherId = (string)(await ClusterApp.RegisterAsync(admin, other))["cluster"]!["id"]!;

        // Until the inventory's first list of the cluster the row is there without figures (measuredAt null; seen on a
        // fast machine); the figures below are the synced ones.
        var mine = await Eventually.GetAsync(async () => (await (await team.Viewer.Client.GetAsync("/api/v1/metrics/fleet")).BodyAsync()),
            m => m["clusters"]!["items"]!.AsArray().All(r => r!["measuredAt"] is not null), because: "the cluster's inventory synced");
        var rows = mine["clusters"]!["items"]!.AsArray();
        var row = Assert.Single(rows);
        Assert.Equal(team.ClusterId, (string?)row!["id"]);
        Assert.Equal(2, (int)row["nodesTotal"]!);
        Assert.True((double)row["cpu"]!["capacity"]! > 0);
        Assert.True((double)row["memory"]!["capacity"]! > 0);
        Assert.Equal("No Prometheus set for this cluster.", (string?)row["storageNote"]);
        // metrics-server's figures reach the inventory on its next poll.
        var measured = await Eventually.GetAsync(async () => (await (await team.Viewer.Client.GetAsync("/api/v1/metrics/fleet")).BodyAsync())
            ["clusters"]!["items"]![0]!, r => r["cpu"]!["used"] is not null, because: "metrics.k8s.io measured");
        Assert.InRange((double)measured["cpu"]!["used"]!, 0, (double)measured["cpu"]!["capacity"]!);

        var all = await (await admin.GetAsync($"/api/v1/metrics/fleet?search={other.Name}")).BodyAsync();
        Assert.Equal(otherId, (string?)Assert.Single(all["clusters"]!["items"]!.AsArray())!["id"]);
        var none = await (await team.Viewer.Client.GetAsync($"/api/v1/metrics/fleet?search={other.Name}")).BodyAsync();
        Assert.Empty(none["clusters"]!["items"]!.AsArray());
    }

    [Fact]
    public async Task a_workspace_sees_its_use_of_each_quota_on_each_cluster()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        await DeployWebAsync(team, replicas: 2);

        var usage = await Eventually.GetAsync(async () => await (await team.Viewer.Client.GetAsync($"/api/v1/workspaces/{team.WorkspaceId}/quota-usage")).BodyAsync(),
            u => Resource(u[0]!, "pods")["used"]?.GetValue<string>() == "2", because: "two pods counted by the ResourceQuota");

        var cluster = Assert.Single(usage.AsArray())!;
        Assert.Equal(team.ClusterId, (string?)cluster["clusterId"]);
        Assert.Null(cluster["problem"]);
        Assert.Equal(("4", "1", "200m", 5.0), Figures(Resource(cluster, "cpu")));
        Assert.Equal(("8Gi", "2Gi", "128Mi", 1.6), Figures(Resource(cluster, "memory")));
        Assert.Equal(("40", "10", "2", 5.0), Figures(Resource(cluster, "pods")));
        Assert.Equal("0", (string?)Resource(cluster, "gpu")["used"]);
        Assert.Equal("0", (string?)Resource(cluster, "storage")["used"]);

        using var stranger = (await app.CreateUserAsync()).Client;
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/workspaces/{team.WorkspaceId}/quota-usage")).StatusCode);
    }

    [Fact]
    public async Task a_chart_of_a_cluster_without_prometheus_answers_409_saying_how_to_set_one()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var (mapId, _, workloadId) = await DeployWebAsync(team, replicas: 1);

        foreach (var url in new[]
        {
            $"/api/v1/clusters/{team.ClusterId}/metrics/cpu?range=6h", $"/api/v1/workspaces/{team.WorkspaceId}/metrics/memory",
            $"/api/v1/service-maps/{mapId}/metrics/restarts?range=24h", $"/api/v1/workloads/{workloadId}/metrics/network-in?range=7d",
        })
        {
            var response = await team.Viewer.Client.GetAsync(url);
            var problem = await response.BodyAsync();
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("has no Prometheus", (string)problem["detail"]!);
            Assert.Contains("monitoring settings", (string)problem["detail"]!);
        }
    }

    [Theory]
    [InlineData("range=2h", "range")]
    [InlineData("range=1h&start=2026-01-01T00:00:00Z&end=2026-01-01T01:00:00Z", "range")]
    [InlineData("start=2026-01-01T00:00:00Z", "end")]
    [InlineData("start=2026-01-01T02:00:00Z&end=2026-01-01T01:00:00Z", "end")]
    [InlineData("start=2025-01-01T00:00:00Z&end=2026-01-01T00:00:00Z", "start")]
    public async Task a_bad_range_is_400_naming_the_field(string query, string field)
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var (_, _, workloadId) = await DeployWebAsync(team, replicas: 1);

        var response = await team.Viewer.Client.GetAsync($"/api/v1/workloads/{workloadId}/metrics/cpu?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.BodyAsync())["errors"]![field]);
    }

    [Fact]
    public async Task an_unknown_chart_is_400_listing_the_charts_there_are()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);

        var response = await team.Viewer.Client.GetAsync($"/api/v1/clusters/{team.ClusterId}/metrics/temperature");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cpu, memory, gpu-utilisation, gpu-memory, network-in, network-out, filesystem, restarts",
            (string)(await response.BodyAsync())["errors"]!["chart"]![0]!);
    }

    private static JsonNode Resource(JsonNode cluster, string resource) =>
        cluster["resources"]!.AsArray().Single(r => (string?)r!["resource"] == resource)!;

    private static (string?, string?, string?, double?) Figures(JsonNode r) =>
        ((string?)r["quota"], (string?)r["allocated"], (string?)r["used"], (double?)r["percent"]);

    /// <summary>A service map and the "web" Deployment, available; returns the map, its namespace and the workload.</summary>
    internal static async Task<(string MapId, string Namespace, string WorkloadId)> DeployWebAsync(Tenancy.Tenancy team, int replicas)
    {
        var map = await team.CreateServiceMapAsync(team.WorkspaceAdmin.Client, "mx-" + Guid.NewGuid().ToString("N")[..8]);
        var mapId = (string)map["id"]!;
        await team.WaitForStatusAsync(mapId, "Ready");
        var workload = await WorkloadApi.DeployAsync(team.Developer.Client, mapId, WorkloadApi.Web(replicas: replicas));
        var workloadId = (string)workload["id"]!;
        await WorkloadApi.WaitForRolloutAsync(team.Developer.Client, workloadId, "Available");
        return (mapId, (string)map["namespace"]!, workloadId);
    }

    private static async Task<Dictionary<string, (long CpuMillis, long MemoryBytes)>> PodMetricsAsync(Tenancy.Tenancy team, string ns)
    {
        var metrics = (JsonElement)await team.Kube().CustomObjects.ListNamespacedCustomObjectAsync("metrics.k8s.io", "v1beta1", ns, "pods");
        return metrics.GetProperty("items").EnumerateArray().ToDictionary(p => p.GetProperty("metadata").GetProperty("name").GetString()!, p =>
        {
            var cpu = 0L;
            var memory = 0L;
            foreach (var c in p.GetProperty("containers").EnumerateArray())
            {
                cpu += (long)(new k8s.Models.ResourceQuantity(c.GetProperty("usage").GetProperty("cpu").GetString()).ToDecimal() * 1000m);
                memory += (long)new k8s.Models.ResourceQuantity(c.GetProperty("usage").GetProperty("memory").GetString()).ToDecimal();
            }
            return (cpu, memory);
        });
    }
}
