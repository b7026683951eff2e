using System.Net;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using WorkloadApi = Cocktail.Integration.Tests.Workloads.Workloads;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// Charts from a real Prometheus scraping a KubeSim cluster (cAdvisor, kube-state-metrics, DCGM through the API server),
/// reached through the cluster's service proxy: the numbers, and that a member's charts never hold another workspace's series.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class ChartsWithPrometheusTests(TenancyApp app)
{
    private static readonly TimeSpan Scraped = TimeSpan.FromSeconds(45);

    [SkippableFact]
    public async Task a_workloads_charts_show_each_of_its_pods_as_the_cluster_measures_them()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        var team = await TeamOnAsync(monitored);
        var (_, ns, workloadId) = await LiveFiguresTests.DeployWebAsync(team, replicas: 2);
        var pods = (await (await team.Viewer.Client.GetAsync($"/api/v1/workloads/{workloadId}/pods")).BodyAsync()).AsArray()
            .Select(p => (string)p!["name"]!).Order().ToList();

        var memory = await ChartAsync(team.Viewer.Client, $"/api/v1/workloads/{workloadId}/metrics/memory?range=1h", lines: 2);
        var cpu = await ChartAsync(team.Viewer.Client, $"/api/v1/workloads/{workloadId}/metrics/cpu?range=1h", lines: 2);
        var restarts = await ChartAsync(team.Viewer.Client, $"/api/v1/workloads/{workloadId}/metrics/restarts?range=1h", lines: 2);

        Assert.Equal(pods, Lines(memory).Select(l => (string)l["name"]!).Order());
        Assert.All(Lines(memory), l => Assert.Equal(ns, (string?)l["namespace"]));
        // Working set within the container's 128Mi limit; CPU within its 200m limit; no restarts.
        Assert.All(Lines(memory), l => Assert.InRange(Latest(l), 1, 128 * 1024 * 1024));
        Assert.All(Lines(cpu), l => Assert.InRange(Latest(l), 0, 0.2));
        Assert.All(Lines(restarts), l => Assert.Equal(0, Latest(l)));
        Assert.Equal("Bytes", (string?)memory["unit"]);
        Assert.Contains($"namespace=~\"{ns}\"", (string)memory["query"]!);
        Assert.Equal(15, (int)memory["stepSeconds"]!); // an hour at most 300 points, on a step that divides a day
        Assert.All(Lines(memory), l => Assert.InRange(l["points"]!.AsArray().Count, 1, 300));
    }

    [SkippableFact]
    public async Task a_workspace_members_charts_never_return_another_workspaces_series()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        var a = await TeamOnAsync(monitored);
        var b = await TeamOnAsync(monitored);
        var (aMap, aNs, aWorkload) = await LiveFiguresTests.DeployWebAsync(a, replicas: 2);
        var (_, bNs, _) = await LiveFiguresTests.DeployWebAsync(b, replicas: 2);

        // The platform admin's cluster chart holds both teams: there is something to keep apart.
        var whole = await ChartAsync(a.Admin, $"/api/v1/clusters/{monitored.ClusterId}/metrics/memory", until: c =>
            Lines(c).Any(l => (string?)l["namespace"] == aNs) && Lines(c).Any(l => (string?)l["namespace"] == bNs));
        Assert.DoesNotContain("namespace=~", (string)whole["query"]!);

        var node = (string)(await (await a.Viewer.Client.GetAsync($"/api/v1/workloads/{aWorkload}/pods")).BodyAsync())[0]!["node"]!;
        var urls = new[]
        {
            $"/api/v1/workspaces/{a.WorkspaceId}", $"/api/v1/service-maps/{aMap}", $"/api/v1/workloads/{aWorkload}",
            $"/api/v1/clusters/{monitored.ClusterId}", $"/api/v1/clusters/{monitored.ClusterId}/nodes/{node}",
        };
        // Memory has a series for every pod by now; the other charts are asked once, as they are.
        foreach (var url in urls)
            await ChartAsync(a.Viewer.Client, $"{url}/metrics/memory", until: c => Lines(c).Any());
        var leaks = new List<string>();
        foreach (var url in urls)
            foreach (var chart in new[] { "cpu", "memory", "gpu-utilisation", "gpu-memory", "network-in", "network-out", "filesystem", "restarts" })
            {
                var response = await a.Viewer.Client.GetAsync($"{url}/metrics/{chart}?range=1h");
                var body = await response.BodyAsync();
                if (response.StatusCode != HttpStatusCode.OK) { leaks.Add($"{url}/metrics/{chart}: {(int)response.StatusCode} {body}"); continue; }
                if (((string?)body["query"])?.Contains(bNs, StringComparison.Ordinal) == true) leaks.Add($"{url}/metrics/{chart} asked for {bNs}");
                foreach (var line in Lines(body).Where(l => (string?)l["namespace"] != aNs))
                    leaks.Add($"{url}/metrics/{chart} returned {line["namespace"]}/{line["name"]}");
                if (body.ToJsonString().Contains(bNs, StringComparison.Ordinal)) leaks.Add($"{url}/metrics/{chart} mentions {bNs}");
            }
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));

        // B's admin asking for A's objects is told they do not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await b.WorkspaceAdmin.Client.GetAsync($"/api/v1/workloads/{aWorkload}/metrics/cpu")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.WorkspaceAdmin.Client.GetAsync($"/api/v1/workspaces/{a.WorkspaceId}/metrics/cpu")).StatusCode);
    }

    [SkippableFact]
    public async Task a_prometheus_that_stops_answering_is_503_and_a_bad_range_400()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        var team = await TeamOnAsync(monitored);
        var (mapId, _, _) = await LiveFiguresTests.DeployWebAsync(team, replicas: 1);

        Assert.Equal(HttpStatusCode.OK, (await team.Viewer.Client.GetAsync($"/api/v1/service-maps/{mapId}/metrics/cpu?range=6h")).StatusCode);
        var bad = await team.Viewer.Client.GetAsync($"/api/v1/service-maps/{mapId}/metrics/cpu?range=30d");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.BodyAsync())["errors"]!["range"]);

        monitored.Cluster.UnrouteService(MonitoredCluster.ServiceNamespace, MonitoredCluster.ServiceName, MonitoredCluster.ServicePort);
        var down = await team.Viewer.Client.GetAsync($"/api/v1/service-maps/{mapId}/metrics/cpu");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }

    /// <summary>A workspace on the monitored (shared) cluster; the cluster itself stays the monitored one's to dispose.</summary>
    private async Task<Tenancy.Tenancy> TeamOnAsync(MonitoredCluster monitored) =>
        await Tenancy.Tenancy.CreateAsync(app, sim: monitored.Cluster, clusterId: monitored.ClusterId.ToString());

    private static Task<JsonNode> ChartAsync(HttpClient client, string url, int lines) =>
        ChartAsync(client, url, c => Lines(c).Count(l => l["points"]!.AsArray().Count > 0) == lines);

    private static async Task<JsonNode> ChartAsync(HttpClient client, string url, Func<JsonNode, bool> until) =>
        await Eventually.GetAsync(async () =>
        {
            var response = await client.GetAsync(url);
            var body = await response.BodyAsync();
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {body}");
            return body;
        }, until, Scraped, because: $"{url} to have its series");

    private static IEnumerable<JsonNode> Lines(JsonNode chart) => chart["series"]!.AsArray().Select(l => l!);

    private static double Latest(JsonNode line) => (double)line["points"]!.AsArray()[^1]!["value"]!;
}
