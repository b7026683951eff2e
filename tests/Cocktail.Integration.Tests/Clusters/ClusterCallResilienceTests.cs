using System.Diagnostics;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.KubeSim;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Cocktail.Integration.Tests.Clusters;

/// <summary>
/// The one resilience pipeline every caller shares, against the simulated API server over HTTPS: what a caller (an
/// applier, and through it a service map or a grant) gets back when a cluster throttles, or stops answering while
/// others work.
/// </summary>
public sealed class ClusterCallResilienceTests
{
    private static ClusterClientFactory Factory(Action<ClusterCallOptions>? configure = null)
    {
        var options = new ClusterCallOptions { BreakDuration = TimeSpan.FromSeconds(3), RetryDelay = TimeSpan.FromMilliseconds(50) };
        configure?.Invoke(options);
        return new ClusterClientFactory(Options.Create(options), TimeProvider.System);
    }

    private static ClusterConnection ConnectionTo(KubeSimCluster sim) => new(sim.Server, sim.CaData, sim.AdminToken);

    private static Task<ApplyOutcome> CreateNamespaceAsync(ClusterClientFactory clients, KubeSimCluster sim, string name) =>
        clients.GuardAsync(ConnectionTo(sim), async client =>
        {
            var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } };
            await client.CoreV1.PatchNamespaceAsync(new V1Patch(ns, V1Patch.PatchType.ApplyPatch), name, fieldManager: "cocktail", force: true);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    [Fact]
    public async Task a_throttled_cluster_is_waited_out_as_its_retry_after_says_and_the_write_lands()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var clients = Factory();
        sim.Faults.FailNextRequests(2, 429, retryAfterSeconds: 1);

        var watch = Stopwatch.StartNew();
        var outcome = await CreateNamespaceAsync(clients, sim, "throttled");

        Assert.Equal(new ApplyOutcome(ApplyResult.Applied), outcome);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"two Retry-After: 1 waited out, not {watch.Elapsed}");
        using var kube = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(sim.AdminKubeconfigYaml))));
        Assert.Equal("throttled", (await kube.CoreV1.ReadNamespaceAsync("throttled")).Metadata.Name);
    }

    [Fact]
    public async Task a_retry_after_longer_than_cocktail_waits_for_is_answered_as_unreachable_with_the_clusters_message()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var clients = Factory();
        sim.Faults.FailNextRequests(1, 429, retryAfterSeconds: 60);

        var watch = Stopwatch.StartNew();
        var outcome = await CreateNamespaceAsync(clients, sim, "later");

        Assert.Equal(new ApplyOutcome(ApplyResult.Unreachable, "Too many requests, please try again later."), outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"not waited for a minute here: {watch.Elapsed}");
    }

    [Fact]
    public async Task the_circuit_opens_for_a_cluster_that_stops_answering_while_other_clusters_keep_working_and_closes_when_it_is_back()
    {
        await using var down = await ClusterApp.StartClusterAsync();
        await using var up = await ClusterApp.StartClusterAsync();
        using var clients = Factory();
        Assert.Equal(ApplyResult.Applied, (await CreateNamespaceAsync(clients, down, "before")).Result);

        await down.Faults.StopAnsweringAsync();
        var failures = new List<ApplyOutcome>();
        for (var i = 0; i < 4; i++) failures.Add(await CreateNamespaceAsync(clients, down, $"during-{i}"));
        Assert.All(failures, f => Assert.Equal(ApplyResult.Unreachable, f.Result));

        // The circuit is open: the next call is answered at once, without waiting for the cluster, and says why.
        var watch = Stopwatch.StartNew();
        var shortCircuited = await CreateNamespaceAsync(clients, down, "open");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"answered at once, not after {watch.Elapsed}");
        Assert.Equal(ApplyResult.Unreachable, shortCircuited.Result);
        Assert.StartsWith("The cluster failed repeatedly just now", shortCircuited.Message);

        // The other cluster's calls do not go through that circuit.
        Assert.Equal(new ApplyOutcome(ApplyResult.Applied), await CreateNamespaceAsync(clients, up, "meanwhile"));

        await down.Faults.ResumeAsync();
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // the break: then one trial call, which succeeds and closes it
        Assert.Equal(new ApplyOutcome(ApplyResult.Applied), await CreateNamespaceAsync(clients, down, "after"));
        Assert.Equal(new ApplyOutcome(ApplyResult.Applied), await CreateNamespaceAsync(clients, down, "after-again"));
    }

    [Fact]
    public async Task every_caller_of_a_cluster_shares_one_client_until_its_connection_is_forgotten()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var clients = Factory();
        var connection = ConnectionTo(sim);

        using (var first = clients.Lease(connection))
        using (var second = clients.Lease(connection with { }))
            Assert.Same(first.Client, second.Client);
        Assert.Equal(1, clients.Cached);

        // Rotated credentials are another connection: they never reach the old client.
        var rotated = connection with { Token = sim.IssueToken("rotated", ["system:masters"]) };
        using (var old = clients.Lease(connection))
        using (var renewed = clients.Lease(rotated))
            Assert.NotSame(old.Client, renewed.Client);

        clients.Forget(connection);
        Assert.Equal(1, clients.Cached);
        Assert.Equal(ApplyResult.Applied, (await clients.GuardAsync(rotated, async c =>
        {
            await c.CoreV1.ListNamespaceAsync();
            return new ApplyOutcome(ApplyResult.Applied);
        })).Result);
    }
}
