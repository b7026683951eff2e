using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Infrastructure.Inventory;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Clusters;

[Collection(ClustersCollection.Name)]
public sealed class InventoryTests(ClusterApp app)
{
    [Fact]
    public async Task the_inventory_follows_the_cluster_as_it_changes()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 2, pods: 3);
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods?namespace=default", p => (int?)p["total"] == 3, "the seeded pods");

        sim.Objects.EnsureNamespace("shop", new Dictionary<string, string> { ["team"] = "a" });
        sim.Objects.Create(Deployment("shop", "web", replicas: 2));
        sim.Objects.Delete("v1", "Pod", "pod-0", "default");

        var pods = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods?pageSize=100",
            p => Names(p).Count(n => n.StartsWith("shop/web-")) == 2 && !Names(p).Contains("default/pod-0")
                 && p["items"]!.AsArray().Where(i => (string?)i!["namespace"] == "shop").All(i => (string?)i!["phase"] == "Running"),
            "the deployment's two running pods and pod-0 gone");
        Assert.Equal(4, (int?)pods["total"]);
        var workloads = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/workloads?namespace=shop",
            w => (int?)w["items"]?[0]?["available"] == 2, "the deployment available");
        Assert.Equal("Deployment", (string?)workloads["items"]![0]!["kind"]);
        Assert.Equal("Available", (string?)workloads["items"]![0]!["status"]);
        var namespaces = await (await admin.GetAsync($"/api/v1/clusters/{id}/namespaces?search=shop")).BodyAsync();
        Assert.Equal("a", (string?)namespaces["items"]![0]!["labels"]!["team"]);
        var events = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/events?namespace=shop",
            e => e["items"]!.AsArray().Any(i => (string?)i!["reason"] == "Scheduled"), "the scheduler's events");
        Assert.All(events["items"]!.AsArray(), e => Assert.Equal("shop", (string?)e!["namespace"]));
    }

    [Fact]
    public async Task node_capacity_and_the_requests_of_its_pods_are_summed_per_node_and_per_cluster()
    {
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions
        {
            Name = $"cap-{Guid.NewGuid():N}"[..12], Nodes = 1,
            NodeShape = new NodeShape { Cpu = "8", Memory = "32Gi", NvidiaGpus = 2 },
        });
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        sim.Objects.EnsureNamespace("ml");
        sim.Objects.Create(Pod("ml", "trainer", cpu: "1500m", memory: "2Gi", gpus: 1));

        var cluster = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}",
            c => (long?)c["summary"]!["requested"]!["gpus"] == 1, "the trainer's requests in the summary");
        var summary = cluster["summary"]!;
        Assert.Equal(8000, (long?)summary["capacity"]!["cpuMillis"]);
        Assert.Equal(32L * 1024 * 1024 * 1024, (long?)summary["capacity"]!["memoryBytes"]);
        Assert.Equal(2, (long?)summary["allocatable"]!["gpus"]);
        Assert.Equal(1500, (long?)summary["requested"]!["cpuMillis"]);
        Assert.Equal(2L * 1024 * 1024 * 1024, (long?)summary["requested"]!["memoryBytes"]);
        var nodes = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/nodes",
            n => (long?)n["items"]![0]!["requested"]!["gpus"] == 1, "the node's requested figures");
        Assert.Equal(1500, (long?)nodes["items"]![0]!["requested"]!["cpuMillis"]);
    }

    [Fact]
    public async Task a_cluster_that_stops_answering_becomes_unreachable_and_recovers_and_both_are_events()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}", c => (int?)c["summary"]!["nodesTotal"] == 2, "the first sync");

        await sim.Faults.StopAnsweringAsync();
        var down = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}", c => (string?)c["cluster"]!["health"] == "Unreachable", "Unreachable");
        Assert.Contains("refused", (string?)down["cluster"]!["healthDetail"]);

        await sim.Faults.ResumeAsync();
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}", c => (string?)c["cluster"]!["health"] == "Connected", "Connected again");
        var history = await (await admin.GetAsync($"/api/v1/audit/events?streamId={id}")).BodyAsync();
        var types = history["items"]!.AsArray().Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(["ClusterRecovered", "ClusterBecameUnreachable", "ClusterRegistered"], types);
    }

    [Fact]
    public async Task a_hanging_cluster_is_never_shown_as_healthy()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;

        await sim.Faults.HangAsync();

        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}", c => (string?)c["cluster"]!["health"] == "Unreachable", "Unreachable while hanging");
        await sim.Faults.ResumeAsync();
    }

    [Fact]
    public async Task forced_410_gone_makes_the_watches_relist_without_losing_or_duplicating_objects()
    {
        await using var sim = await ClusterApp.StartClusterAsync(pods: 5);
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 5, "the seeded pods");
        var supervisor = app.Services.GetRequiredService<InventorySupervisor>();
        var relistsBefore = supervisor.Relists;

        sim.Objects.SeedPods("default", 3, prefix: "late");
        sim.Objects.Delete("v1", "Pod", "pod-1", "default");
        sim.Faults.CompactHistory();
        sim.Faults.DropWatches();

        // pod-1 lingers while it terminates; the inventory follows it until it is gone.
        var pods = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods?pageSize=100",
            p => (int?)p["total"] == 7 && Names(p).Order().SequenceEqual(PodsOn(sim)), "the inventory to match the cluster");
        Assert.DoesNotContain("default/pod-1", Names(pods));
        Assert.True(supervisor.Relists > relistsBefore, "the watches re-listed");
    }

    [Fact]
    public async Task after_cocktail_restarts_the_inventory_resyncs_without_duplicates()
    {
        await using var sim = await ClusterApp.StartClusterAsync(pods: 4);
        var first = new ClusterApp();
        await first.InitializeAsync();
        string id;
        using (var admin = await first.AsAdminAsync())
        {
            id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
            await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 4, "the first sync");
        }
        var database = first.ConnectionString;
        await first.DisposeAsync();

        // While Cocktail is down the cluster changes.
        sim.Objects.Delete("v1", "Pod", "pod-0", "default");
        sim.Objects.SeedPods("default", 2, prefix: "while-down");

        await using var second = (ClusterApp)new ClusterApp().WithDatabase(database);
        await second.InitializeAsync();
        using var again = await second.AsAdminAsync();
        var pods = await ClusterApp.WaitForAsync(again, $"/api/v1/clusters/{id}/pods?pageSize=100",
            p => Names(p).Order().SequenceEqual(PodsOn(sim)), "the inventory to match the cluster after the restart");
        Assert.Equal(5, (int?)pods["total"]);
    }

    [Fact]
    public async Task rotating_credentials_keeps_watching_with_the_new_ones_and_unregistering_forgets_the_cluster()
    {
        await using var sim = await ClusterApp.StartClusterAsync(pods: 1);
        using var admin = await app.AsAdminAsync();
        var id = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var newToken = sim.IssueToken("cocktail-rotated", ["system:masters"]);

        var rotated = await admin.PutAsJsonAsync($"/api/v1/clusters/{id}/credentials",
            new { server = sim.Server, certificateAuthorityData = sim.CaData, token = newToken });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        sim.RevokeToken(sim.AdminToken);
        sim.Faults.DropWatches(); // watches opened with the old token would otherwise keep delivering
        sim.Objects.SeedPods("default", 1, prefix: "after-rotation");
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 2, "a pod seen with the new token");
        Assert.Equal("Connected", (string?)(await (await admin.GetAsync($"/api/v1/clusters/{id}")).BodyAsync())["cluster"]!["health"]);

        var removed = await admin.DeleteAsync($"/api/v1/clusters/{id}");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/clusters/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/clusters/{id}/pods")).StatusCode);
        var history = await (await admin.GetAsync($"/api/v1/audit/events?streamId={id}")).BodyAsync();
        Assert.Equal("ClusterUnregistered", (string?)history["items"]![0]!["type"]);
        // The name is free again.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = sim.Name, provider = "Other", server = sim.Server, certificateAuthorityData = sim.CaData, token = newToken })).StatusCode);
    }

    /// <summary>What the cluster holds right now (deleted pods linger while they terminate).</summary>
    private static List<string> PodsOn(KubeSimCluster sim) =>
        sim.Objects.List("v1", "Pod", "default").Select(p => "default/" + (string)p["metadata"]!["name"]!).Order().ToList();

    private static List<string> Names(JsonNode page) =>
        page["items"]!.AsArray().Select(p => $"{p!["namespace"]}/{p["name"]}").ToList();

    private static string Deployment(string ns, string name, int replicas) => System.Text.Json.JsonSerializer.Serialize(new
    {
        apiVersion = "apps/v1", kind = "Deployment", metadata = new { name, @namespace = ns },
        spec = new
        {
            replicas,
            selector = new { matchLabels = new Dictionary<string, string> { ["app"] = name } },
            template = new
            {
                metadata = new { labels = new Dictionary<string, string> { ["app"] = name } },
                spec = new { containers = new[] { new { name = "app", image = "nginx:1.27",
                    resources = new { requests = new Dictionary<string, string> { ["cpu"] = "100m", ["memory"] = "64Mi" } } } } },
            },
        },
    });

    private static string Pod(string ns, string name, string cpu, string memory, int gpus) => System.Text.Json.JsonSerializer.Serialize(new
    {
        apiVersion = "v1", kind = "Pod", metadata = new { name, @namespace = ns },
        spec = new
        {
            containers = new[]
            {
                new
                {
                    name = "main", image = "pytorch:2.5",
                    resources = new
                    {
                        requests = new Dictionary<string, string> { ["cpu"] = cpu, ["memory"] = memory, ["nvidia.com/gpu"] = gpus.ToString() },
                        limits = new Dictionary<string, string> { ["nvidia.com/gpu"] = gpus.ToString() },
                    },
                },
            },
        },
    });
}
