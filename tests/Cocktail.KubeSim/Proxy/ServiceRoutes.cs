using System.Collections.Concurrent;

namespace Cocktail.KubeSim.Proxy;

/// <summary>An in-process answer to a proxied GET: status, content type and body.</summary>
public sealed record LocalAnswer(int Status, string ContentType, byte[] Body);

/// <summary>
/// Where traffic for one Service port goes. A simulated cluster has no pod network, so a test says which real
/// server stands behind a Service port (a Prometheus on 127.0.0.1, say), or the simulator answers itself
/// (kube-state-metrics).
/// </summary>
public abstract record ServiceBackend
{
    public sealed record Remote(Uri Address) : ServiceBackend;

    public sealed record Local(Func<string, string, CancellationToken, Task<LocalAnswer>> Answer) : ServiceBackend;
}

/// <summary>Backends by Service port (namespace, name, port number); what the Endpoints would point at on a real cluster.</summary>
internal sealed class ServiceRoutes
{
    readonly ConcurrentDictionary<(string Ns, string Name, int Port), ServiceBackend> _routes = new();

    public void Set(string ns, string name, int port, ServiceBackend backend) => _routes[(ns, name, port)] = backend;

    public void Remove(string ns, string name, int port) => _routes.TryRemove((ns, name, port), out _);

    public ServiceBackend? Find(string ns, string name, int port) => _routes.GetValueOrDefault((ns, name, port));
}
