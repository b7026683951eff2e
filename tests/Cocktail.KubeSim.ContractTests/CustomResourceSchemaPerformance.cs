using System.Diagnostics;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using Cocktail.KubeSim.Discovery;
using Xunit.Abstractions;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Simulator-only: installing every Cluster API CRD on a fresh KubeSim and writing CAPI objects stays cheap, because
/// each CRD version's schema is compiled once per CRD write and the YAML is parsed once per process.
/// </summary>
public sealed class CustomResourceSchemaPerformance(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task installing_all_cluster_api_crds_and_creating_clusters_is_fast()
    {
        SimulatorOnly.Require();
        SharedCrds.Load(SharedCrds.ClusterApi); // the YAML parse is once per process, not per cluster
        foreach (var project in SharedCrds.ClusterApiProjects) SharedCrds.Load(project);
        await using var cluster = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "crd-perf", Nodes = 1 });
        var install = Stopwatch.StartNew();
        var names = await SharedCrds.InstallClusterApiAsync(cluster);
        install.Stop();
        Assert.True(names.Count >= 20, $"{names.Count} CRDs");

        cluster.Objects.EnsureNamespace("fleet");
        JsonObject Cluster(int i) => new()
        {
            ["apiVersion"] = "cluster.x-k8s.io/v1beta2", ["kind"] = "Cluster",
            ["metadata"] = new JsonObject { ["name"] = $"c{i}", ["namespace"] = "fleet" },
            ["spec"] = new JsonObject
            {
                ["clusterNetwork"] = new JsonObject { ["pods"] = new JsonObject { ["cidrBlocks"] = new JsonArray("192.168.0.0/16") } },
                ["controlPlaneRef"] = new JsonObject { ["apiGroup"] = "controlplane.cluster.x-k8s.io", ["kind"] = "KubeadmControlPlane", ["name"] = $"c{i}" },
                ["infrastructureRef"] = new JsonObject { ["apiGroup"] = "infrastructure.cluster.x-k8s.io", ["kind"] = "OpenStackCluster", ["name"] = $"c{i}" },
            },
        };
        cluster.Objects.Create(Cluster(0)); // first use compiles the schema
        var create = Stopwatch.StartNew();
        for (var i = 1; i <= 100; i++) cluster.Objects.Create(Cluster(i));
        create.Stop();
        output.WriteLine($"install {names.Count} CRDs: {install.ElapsedMilliseconds} ms; 100 Cluster creates: {create.ElapsedMilliseconds} ms");
        // Loose bounds (about 10x what an idle 2-core machine takes: ~0.8 s and ~60 ms) that only catch a schema
        // compiled per write or a CRD parsed per poll, not a busy build machine.
        Assert.True(install.Elapsed < TimeSpan.FromSeconds(10), $"installing took {install.ElapsedMilliseconds} ms");
        Assert.True(create.Elapsed < TimeSpan.FromSeconds(3), $"100 creates took {create.ElapsedMilliseconds} ms");
    }
}
