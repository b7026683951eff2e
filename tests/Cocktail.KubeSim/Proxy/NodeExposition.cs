using Cocktail.KubeSim.Proxy;

namespace Cocktail.KubeSim.Http;

/// <summary>What a node serves through <c>nodes/{name[:port]}/proxy</c>: the kubelet (10250), node-exporter (9100), DCGM (9400).</summary>
internal sealed class NodeExposition(ClusterRuntime cluster)
{
    public Task<LocalAnswer> Answer(string node, int port, string path, CancellationToken ct)
    {
        _ = cluster;
        _ = node;
        _ = ct;
        return Task.FromResult(NotFound(port, path));
    }

    static LocalAnswer NotFound(int port, string path) =>
        new(404, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes($"404 page not found ({path} on port {port})\n"));
}
