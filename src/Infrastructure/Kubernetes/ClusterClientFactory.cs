using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using k8s;
using k8s.KubeConfigModels;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// The one way Cocktail gets a Kubernetes client for a registered cluster: every applier (service maps, workloads,
/// access grants), the inventory watcher and log reading share one client per cluster connection, with one bound on
/// the requests in flight to that cluster and one resilience pipeline (<see cref="ResilientClusterCalls"/>), whose
/// circuit breaker is therefore the cluster's own.
/// <para>
/// A client per call paid, every time, for parsing the credentials and for a new TCP connection and TLS handshake
/// (with a client certificate, a full one). The cache is keyed by the whole connection, so changed credentials or a
/// changed address never reach the old client: they are a new entry, and the old one is forgotten when the cluster's
/// watcher is retired (rotation, unregistration) or once nobody has used it for a while.
/// </para>
/// </summary>
public sealed class ClusterClientFactory(IOptions<ClusterCallOptions> options, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(10);
    /// <summary>Even a busy client is replaced now and then, so that its connections follow DNS and load balancers.</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<ClusterConnection, Entry> _entries = [];
    private DateTimeOffset _lastSweep = clock.GetUtcNow();

    /// <summary>The cluster's client; disposing the lease gives it back (the client itself stays cached).</summary>
    public ClusterLease Lease(ClusterConnection connection)
    {
        lock (_gate)
        {
            SweepIdle();
            if (!_entries.TryGetValue(connection, out var entry))
            {
                entry = new Entry(connection, options.Value, clock.GetUtcNow());
                _entries[connection] = entry;
            }
            entry.InUse++;
            entry.LastUsed = clock.GetUtcNow();
            return new ClusterLease(this, entry);
        }
    }

    /// <summary>
    /// Calls the cluster with its cached client and classifies what went wrong as <see cref="ClusterCalls.Classify"/>
    /// does: it did not answer (retry later) or it refused (say why).
    /// </summary>
    public Task<ApplyOutcome> GuardAsync(ClusterConnection connection, Func<IKubernetes, Task<ApplyOutcome>> work) =>
        ClusterCalls.ClassifyAsync(async () =>
        {
            using var lease = Lease(connection);
            return await work(lease.Client);
        });

    /// <summary>
    /// The connection is no longer a cluster's (its credentials or address changed, or it was unregistered): its client
    /// goes as soon as the last lease is given back.
    /// </summary>
    public void Forget(ClusterConnection connection)
    {
        lock (_gate)
        {
            if (!_entries.Remove(connection, out var entry)) return;
            entry.Retired = true;
            if (entry.InUse == 0) entry.Dispose();
        }
    }

    /// <summary>Clients cached now, for tests.</summary>
    public int Cached
    {
        get { lock (_gate) return _entries.Count; }
    }

    internal void ReturnLease(Entry entry)
    {
        lock (_gate)
        {
            entry.InUse--;
            entry.LastUsed = clock.GetUtcNow();
            if (entry.Retired && entry.InUse == 0) entry.Dispose();
        }
    }

    /// <summary>Under the lock: forgets clients nobody uses now that have been idle for a while or have lived long enough.</summary>
    private void SweepIdle()
    {
        var now = clock.GetUtcNow();
        if (now - _lastSweep < SweepEvery) return;
        _lastSweep = now;
        foreach (var (connection, entry) in _entries.Where(e => e.Value.InUse == 0 && (now - e.Value.LastUsed > IdleLifetime || now - e.Value.Created > MaxLifetime)).ToList())
        {
            _entries.Remove(connection);
            entry.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values) entry.Dispose();
            _entries.Clear();
        }
    }

    /// <summary>
    /// A client of its own, not cached and without retries, for a server that is not (yet) a registered cluster: the
    /// probe of an address an admin typed answers once, with what that server said.
    /// </summary>
    public static IKubernetes CreateUncached(ClusterConnection connection, TimeSpan requestTimeout, params DelegatingHandler[] handlers) =>
        new k8s.Kubernetes(Configuration(connection, requestTimeout), handlers);

    /// <summary>
    /// The connection goes through KubernetesClient's own kubeconfig model, so a CA, a token or a client certificate is
    /// handled exactly as `kubectl` handles it.
    /// </summary>
    internal static KubernetesClientConfiguration Configuration(ClusterConnection connection, TimeSpan requestTimeout)
    {
        var config = new K8SConfiguration
        {
            CurrentContext = "cocktail",
            Clusters =
            [
                new Cluster
                {
                    Name = "cluster",
                    ClusterEndpoint = new ClusterEndpoint
                    {
                        Server = connection.Server,
                        CertificateAuthorityData = connection.CertificateAuthorityData,
                        SkipTlsVerify = connection.InsecureSkipTlsVerify,
                        TlsServerName = connection.TlsServerName,
                    },
                },
            ],
            Users =
            [
                new User
                {
                    Name = "user",
                    UserCredentials = new UserCredentials
                    {
                        Token = connection.Token,
                        ClientCertificateData = connection.ClientCertificateData,
                        ClientKeyData = connection.ClientKeyData,
                    },
                },
            ],
            Contexts = [new Context { Name = "cocktail", ContextDetails = new ContextDetails { Cluster = "cluster", User = "user" } }],
        };
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(config);
        configuration.HttpClientTimeout = requestTimeout;
        configuration.UserAgent = "cocktail";
        // Every connection to a cluster, from every client, goes through the refused-address check.
        configuration.FirstMessageHandlerSetup = handler => handler.ConnectCallback = ClusterAddressGuard.Current.ConnectAsync;
        return configuration;
    }

    internal sealed class Entry : IDisposable
    {
        private readonly SemaphoreSlim _inFlight;

        public Entry(ClusterConnection connection, ClusterCallOptions options, DateTimeOffset created)
        {
            Created = created;
            _inFlight = new SemaphoreSlim(Math.Max(1, options.RequestsInFlightPerCluster));
            // No client-wide timeout: watches and followed logs stay open; every other request has the pipeline's.
            Client = new k8s.Kubernetes(Configuration(connection, Timeout.InfiniteTimeSpan),
                new ResilientClusterCalls(ResilientClusterCalls.Pipeline(options), _inFlight));
        }

        public DateTimeOffset Created { get; }
        public IKubernetes Client { get; }
        public int InUse { get; set; }
        public DateTimeOffset LastUsed { get; set; }
        public bool Retired { get; set; }

        public void Dispose()
        {
            Client.Dispose();
            _inFlight.Dispose();
        }
    }
}

/// <summary>A cluster's client borrowed from <see cref="ClusterClientFactory"/>: disposing it gives it back.</summary>
public sealed class ClusterLease : IDisposable
{
    private readonly ClusterClientFactory _owner;
    private readonly ClusterClientFactory.Entry _entry;
    private int _returned;

    internal ClusterLease(ClusterClientFactory owner, ClusterClientFactory.Entry entry)
    {
        _owner = owner;
        _entry = entry;
    }

    public IKubernetes Client => _entry.Client;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0) _owner.ReturnLease(_entry);
    }
}
