using System.Net;
using System.Net.Sockets;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Simulator-only: faults injected at run time, seen by a client exactly as a misbehaving apiserver would show them.
/// Each test uses its own simulated cluster so the faults never leak into other tests.
/// </summary>
public sealed class FaultInjectionContract : IAsyncLifetime
{
    KubeSimCluster _sim = null!;
    IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "faulty", BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        _client = ClusterUnderTest.ClientForYaml(_sim.AdminKubeconfigYaml);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sim.DisposeAsync();
    }

    [SkippableFact]
    public async Task the_next_requests_can_be_throttled_with_429_and_retry_after()
    {
        SimulatorOnly.Require();
        _sim.Faults.FailNextRequests(1, 429, retryAfterSeconds: 3);
        var error = await ApiError.From(() => _client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal("TooManyRequests", error.Reason);
        Assert.Equal(3, error.Status["details"]!["retryAfterSeconds"]!.GetValue<int>());
        Assert.NotEmpty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }

    [SkippableFact]
    public async Task server_errors_can_be_injected_and_reset()
    {
        SimulatorOnly.Require();
        _sim.Faults.FailFraction(1.0, 503);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ApiError.From(() => _client.CoreV1.ListNamespaceAsync())).StatusCode);
        _sim.Faults.Reset();
        Assert.NotEmpty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }

    [SkippableFact]
    public async Task added_latency_delays_every_answer()
    {
        SimulatorOnly.Require();
        _sim.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var started = DateTime.UtcNow;
        await _client.CoreV1.ListNamespaceAsync();
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(290));
        _sim.Faults.Reset();
    }

    [SkippableFact]
    public async Task dropping_watches_ends_open_watch_streams()
    {
        SimulatorOnly.Require();
        var start = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watching = Task.Run(async () =>
        {
            var response = _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start.Metadata.ResourceVersion, cancellationToken: guard.Token);
            await WatchStreams.ReadUntilClosed(response);
        });
        await Task.Delay(200);
        _sim.Faults.DropWatches();
        await watching;
        Assert.False(guard.IsCancellationRequested, "the stream was ended by the server");
    }

    [SkippableFact]
    public async Task the_next_watch_can_be_forced_to_410_gone()
    {
        SimulatorOnly.Require();
        var start = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        _sim.Faults.ExpireNextWatches(1);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        KubernetesException? error = null;
        var response = _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start.Metadata.ResourceVersion,
            onError: e => error ??= e as KubernetesException, cancellationToken: guard.Token);
        await WatchStreams.ReadUntilClosed(response);
        Assert.NotNull(error);
        Assert.Equal(410, error.Status.Code);
    }

    [SkippableFact]
    public async Task watches_that_allow_bookmarks_receive_them()
    {
        SimulatorOnly.Require();
        var start = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = _client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true,
            resourceVersion: start.Metadata.ResourceVersion, cancellationToken: guard.Token);
        await foreach (var (type, item) in response)
        {
            if (type != WatchEventType.Bookmark) continue;
            Assert.True(long.Parse(item.Metadata.ResourceVersion) >= long.Parse(start.Metadata.ResourceVersion));
            return;
        }
        Assert.Fail("no bookmark arrived");
    }

    [SkippableFact]
    public async Task a_stopped_cluster_refuses_connections_and_comes_back_on_the_same_port_with_the_same_credentials()
    {
        SimulatorOnly.Require();
        var port = _sim.Port;
        await _sim.Faults.StopAnsweringAsync();
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _client.CoreV1.ListNamespaceAsync());
        await _sim.Faults.ResumeAsync();
        Assert.Equal(port, _sim.Port);
        Assert.NotEmpty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }

    [SkippableFact]
    public async Task a_hung_cluster_accepts_connections_but_never_answers()
    {
        SimulatorOnly.Require();
        await _sim.Faults.HangAsync();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(_sim.AdminKubeconfigYaml)));
        config.HttpClientTimeout = TimeSpan.FromMilliseconds(500);
        using var impatient = new Kubernetes(config);
        await Assert.ThrowsAnyAsync<Exception>(() => impatient.CoreV1.ListNamespaceAsync());
        await _sim.Faults.ResumeAsync();
        Assert.NotEmpty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }
}
