using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Monitoring;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// Cocktail's client of a cluster's Prometheus (<see cref="IClusterPrometheus"/>) against the real Prometheus,
/// reached through the cluster's API server proxy with the cluster's registered credentials.
/// </summary>
[Collection(ClustersCollection.Name)]
public sealed class ClusterPrometheusTests(ClusterApp app)
{
    IClusterPrometheus Prometheus => app.Services.GetRequiredService<IClusterPrometheus>();

    [SkippableFact]
    public async Task an_instant_and_a_range_query_through_the_service_proxy_are_answered_by_the_clusters_prometheus()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);

        // Prometheus scrapes each target on its own schedule: wait until it says every one is up, then until the
        // query through the proxy sees each target's `up` series (both bounded), rather than until the first one.
        await monitored.Prometheus.WaitForTargetsUpAsync(TimeSpan.FromSeconds(30));
        var instant = await Eventually.GetAsync(
            () => Prometheus.QueryAsync(monitored.ClusterId, "count by (job) (up)", DateTimeOffset.UtcNow, CancellationToken.None),
            a => a.Succeeded && a.Value!.Any(s => s.Labels.GetValueOrDefault("job") == "kubelet" && s.Value >= 4), TimeSpan.FromSeconds(20),
            "the up series of every kubelet target");
        var kubelet = instant.Value!.Single(s => s.Labels["job"] == "kubelet");
        Assert.Equal(4, kubelet.Value); // 2 nodes × (/metrics, /metrics/cadvisor)

        var end = DateTimeOffset.UtcNow;
        var range = await Prometheus.QueryRangeAsync(monitored.ClusterId, "vector(42)", end.AddMinutes(-1), end, TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.True(range.Succeeded, range.Failure?.Message);
        var series = Assert.Single(range.Value!);
        Assert.Equal(5, series.Points.Count);
        Assert.All(series.Points, p => Assert.Equal(42, p.Value));
    }

    [SkippableFact]
    public async Task a_query_prometheus_cannot_parse_is_a_bad_query_with_prometheus_own_message()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);

        var answer = await Prometheus.QueryAsync(monitored.ClusterId, "sum(rate(container_cpu_usage_seconds_total[5m]", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(PrometheusFailureKind.BadQuery, answer.Failure!.Kind);
        Assert.Contains("parse error", answer.Failure.Message);
        Assert.Equal(Cocktail.Application.Common.FailureKind.Invalid, answer.Failure.ToFailure().Kind);
    }

    [SkippableFact]
    public async Task a_service_without_a_backend_is_unreachable_with_the_api_servers_reason()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        monitored.Cluster.UnrouteService(MonitoredCluster.ServiceNamespace, MonitoredCluster.ServiceName, MonitoredCluster.ServicePort);

        var answer = await Prometheus.QueryAsync(monitored.ClusterId, "up", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(PrometheusFailureKind.Unreachable, answer.Failure!.Kind);
        Assert.Contains("no endpoints available for service \"prometheus-operated\"", answer.Failure.Message);
        using var admin = await app.AsAdminAsync();
        var test = await admin.PostAsync($"/api/v1/clusters/{monitored.ClusterId}/monitoring/test", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, test.StatusCode);
        Assert.Contains("no endpoints available", (string)(await test.BodyAsync())["detail"]!);
    }

    [SkippableFact]
    public async Task a_stopped_prometheus_is_unreachable_and_the_clusters_circuit_stays_closed()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        await monitored.Prometheus.DisposeAsync();

        for (var i = 0; i < 12; i++)
        {
            var answer = await Prometheus.QueryAsync(monitored.ClusterId, "up", DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal(PrometheusFailureKind.Unreachable, answer.Failure!.Kind);
            Assert.StartsWith("The API server could not reach Prometheus (503): error trying to reach service", answer.Failure.Message);
        }
        // Prometheus being down says nothing about the API server: the cluster's other calls still go through.
        using var admin = await app.AsAdminAsync();
        var objects = await admin.GetAsync($"/api/v1/clusters/{monitored.ClusterId}/objects/namespaces/monitoring");
        Assert.Equal(HttpStatusCode.OK, objects.StatusCode);
    }

    [SkippableFact]
    public async Task credentials_without_services_proxy_are_refused_with_the_api_servers_message()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app, options: new MonitoredClusterOptions { Register = false });
        var sim = monitored.Cluster;
        // May read nodes (registration needs that), not proxy to Services.
        sim.Objects.Create(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject { ["name"] = "node-reader" },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "system:node-reader-for-tests" },
            ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "User", ["name"] = "reader", ["apiGroup"] = "rbac.authorization.k8s.io" }),
        });
        sim.Objects.Create(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRole",
            ["metadata"] = new JsonObject { ["name"] = "system:node-reader-for-tests" },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["apiGroups"] = new JsonArray(""), ["resources"] = new JsonArray("nodes", "namespaces", "pods", "services"),
                ["verbs"] = new JsonArray("get", "list", "watch"),
            }),
        });
        var token = TestSecrets.Remember(sim.IssueToken("reader", ["system:authenticated"]));
        using var admin = await app.AsAdminAsync();
        var registration = await admin.PostAsJsonAsync("/api/v1/clusters", new
        {
            name = sim.Name, provider = "BareMetal", kubeconfig = sim.KubeconfigForToken(token, "reader"),
        });
        Assert.True(registration.IsSuccessStatusCode, await registration.Content.ReadAsStringAsync());
        var clusterId = Guid.Parse((string)(await registration.BodyAsync())["cluster"]!["id"]!);
        var put = await admin.PutAsJsonAsync($"/api/v1/clusters/{clusterId}/monitoring", new
        {
            source = "ServiceProxy", serviceNamespace = "monitoring", serviceName = "prometheus-operated", servicePort = 9090,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var answer = await Prometheus.QueryAsync(clusterId, "up", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(PrometheusFailureKind.Refused, answer.Failure!.Kind);
        Assert.Contains("cannot get resource \"services/proxy\"", answer.Failure.Message);
        Assert.DoesNotContain(token, answer.Failure.Message);
        var test = await admin.PostAsync($"/api/v1/clusters/{clusterId}/monitoring/test", null);
        Assert.Equal(HttpStatusCode.Forbidden, test.StatusCode);
    }

    [SkippableFact]
    public async Task the_connection_test_reports_prometheus_version_for_the_saved_and_for_unsaved_direct_settings()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app);
        using var admin = await app.AsAdminAsync();

        var saved = await (await admin.PostAsync($"/api/v1/clusters/{monitored.ClusterId}/monitoring/test", null)).BodyAsync();
        Assert.True((bool)saved["reachable"]!);
        Assert.StartsWith("2.", (string)saved["version"]!);

        var direct = await admin.PostAsJsonAsync($"/api/v1/clusters/{monitored.ClusterId}/monitoring/test",
            new { source = "DirectUrl", url = monitored.Prometheus.Address.ToString(), auth = "None" });
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.StartsWith("2.", (string)(await direct.BodyAsync())["version"]!);

        var refused = await admin.PostAsJsonAsync($"/api/v1/clusters/{monitored.ClusterId}/monitoring/test",
            new { source = "DirectUrl", url = $"http://127.0.0.1:{ExternalProcess.FreePort()}", auth = "None" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
    }

    [SkippableFact]
    public async Task a_cluster_without_a_location_is_not_configured()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app, options: new MonitoredClusterOptions { ConfigureMonitoring = false });

        var answer = await Prometheus.QueryAsync(monitored.ClusterId, "up", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(PrometheusFailureKind.NotConfigured, answer.Failure!.Kind);
    }
}
