using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>Watch semantics: event types, resuming from a resourceVersion, 410 for compacted history, timeouts.</summary>
[Collection(ContractCollection.Name)]
public sealed class WatchContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    [Fact]
    public async Task a_watch_from_a_resource_version_streams_added_modified_and_deleted()
    {
        var ns = await cluster.NewNamespaceAsync("watch");
        var start = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType Type, string Name)>();
        var watching = Task.Run(async () =>
        {
            var response = Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start.Metadata.ResourceVersion, cancellationToken: timeout.Token);
            await foreach (var (type, item) in response)
            {
                if (item.Metadata.Name != "watched") continue;
                events.Add((type, item.Metadata.Name));
                if (type == WatchEventType.Deleted) return;
            }
        }, timeout.Token);
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("watched"), ns);
        created.Data["key"] = "changed";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "watched", ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("watched", ns);
        await watching;
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type).ToArray());
    }

    [Fact]
    public async Task a_watch_without_a_resource_version_starts_with_the_current_objects_as_added()
    {
        var ns = await cluster.NewNamespaceAsync("watch");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("existing"), ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: timeout.Token);
        await foreach (var (type, item) in response)
        {
            if (item.Metadata.Name != "existing") continue;
            Assert.Equal(WatchEventType.Added, type);
            return;
        }
        Assert.Fail("the existing object was not announced");
    }

    [Fact]
    public async Task a_label_selected_watch_sees_an_object_leave_the_selection_as_deleted()
    {
        var ns = await cluster.NewNamespaceAsync("watch");
        var start = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("mover", labels: new Dictionary<string, string> { ["stage"] = "a" }), ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"stage\":\"b\"}}}", V1Patch.PatchType.MergePatch), "mover", ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "stage=a", resourceVersion: start.Metadata.ResourceVersion, cancellationToken: timeout.Token);
        var types = new List<WatchEventType>();
        await foreach (var (type, _) in response)
        {
            types.Add(type);
            if (types.Count == 2) break;
        }
        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], types.ToArray());
    }

    [Fact]
    public async Task a_watch_ends_when_its_timeout_seconds_elapse()
    {
        var ns = await cluster.NewNamespaceAsync("watch");
        var start = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        var started = DateTime.UtcNow;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: guard.Token);
        await WatchStreams.ReadUntilClosed(response);
        Assert.False(guard.IsCancellationRequested, "the server ended the watch");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task a_watch_from_a_compacted_resource_version_gets_an_error_event_with_410_expired()
    {
        // On a real cluster resourceVersion 1 has long been compacted. The simulator keeps its recent history, so
        // this test compacts a private simulated cluster rather than the shared one other watches rely on.
        await using var own = cluster.IsSimulator ? await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "compacted" }) : null;
        own?.Faults.CompactHistory();
        using var client = own is null ? null : ClusterUnderTest.ClientForYaml(own.AdminKubeconfigYaml);
        var api = client ?? Client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        KubernetesException? error = null;
        var response = api.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: "1",
            onError: e => error ??= e as KubernetesException, cancellationToken: timeout.Token);
        await WatchStreams.ReadUntilClosed(response);
        Assert.NotNull(error); // KubernetesClient hands ERROR events to onError
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.StartsWith("too old resource version: 1 (", error.Status.Message);
    }
}

/// <summary>The older KubernetesClient watch style (list call with watch=true, then Watch&lt;T, TList&gt;) still used by callers.</summary>
[Collection(ContractCollection.Name)]
public sealed class LegacyWatchContract(ClusterUnderTest cluster)
{
    [Fact]
    public async Task a_list_call_with_watch_true_can_be_consumed_with_the_watcher_callback()
    {
        var client = cluster.Client;
        var ns = await cluster.NewNamespaceAsync("legacy");
        var start = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        var added = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
#pragma warning disable CS0618 // the deprecated style is exactly what this test pins down
        var response = client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(ns, watch: true, resourceVersion: start.Metadata.ResourceVersion);
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((type, item) =>
        {
            if (type == WatchEventType.Added) added.TrySetResult(item.Metadata.Name);
        });
#pragma warning restore CS0618
        await client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("seen"), ns);
        Assert.Equal("seen", await added.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }
}
