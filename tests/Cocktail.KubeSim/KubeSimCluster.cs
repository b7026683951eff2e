using System.Security.Cryptography;
using System.Text;
using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Audit;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Certificates;
using Cocktail.KubeSim.Controllers;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Faults;
using Cocktail.KubeSim.Hosting;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Rbac;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;
using Cocktail.KubeSim.Watch;

namespace Cocktail.KubeSim;

/// <summary>
/// One simulated Kubernetes cluster serving the real API over HTTPS on 127.0.0.1, with its own CA, admin token and
/// kubeconfig. Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class KubeSimCluster : IAsyncDisposable
{
    public const string AdminUser = "kubesim-admin";

    /// <summary>A bearer token no cluster accepts (401), for negative tests.</summary>
    public const string InvalidToken = "kubesim-invalid-token";

    readonly ClusterRuntime _runtime;
    readonly CancellationTokenSource _stopping;
    readonly ApiHandler _handler;
    readonly SemaphoreSlim _availabilityGate = new(1, 1);
    ControllerManager? _controllers;
    KestrelHost? _host;
    SilentListener? _silent;
    int _port;
    PortReservation? _reservation;

    KubeSimCluster(ClusterRuntime runtime, CancellationTokenSource stopping, string adminToken)
    {
        _runtime = runtime;
        _stopping = stopping;
        _handler = new ApiHandler(runtime);
        AdminToken = adminToken;
        Objects = new ClusterObjects(runtime);
    }

    public string Name => _runtime.Options.Name;

    /// <summary>https://127.0.0.1:PORT</summary>
    public string Server => $"https://127.0.0.1:{_port}";

    public int Port => _port;

    public string CaCertificatePem => _runtime.Ca.CertificatePem;

    /// <summary>The CA as kubeconfig's certificate-authority-data (base64 of the PEM).</summary>
    public string CaData => Convert.ToBase64String(Encoding.UTF8.GetBytes(CaCertificatePem));

    public string AdminToken { get; }

    public string AdminKubeconfigYaml => Kubeconfig.WithToken(Name, Server, CaData, $"{Name}-admin", AdminToken);

    public ClusterObjects Objects { get; }

    public FaultInjector Faults => _runtime.Faults;

    /// <summary>Watches being served right now, by resource (<c>pods</c>, <c>apps/deployments</c>).</summary>
    public IReadOnlyDictionary<string, int> OpenWatches => _runtime.Watches.Open;

    public ClusterAudit Audit => _runtime.Audit;

    /// <summary>Ships the containers' log lines over OTLP/HTTP like a collector DaemonSet, once configured.</summary>
    public Otlp.ClusterLogShipping LogShipping => _runtime.LogShipping!;

    /// <summary>How many pod exec requests reached the cluster (any outcome): a test can see that nothing was asked.</summary>
    public int ExecRequests => Volatile.Read(ref _runtime.ExecRequests);

    public ServerAvailability Availability { get; private set; } = ServerAvailability.Refusing;

    public KubeSimOptions Options => _runtime.Options;

    internal ClusterRuntime Runtime => _runtime;

    /// <summary>
    /// The clusters the simulated Cluster API controllers provisioned from this management cluster, by the Cluster's
    /// "namespace/name", once started. They stop when their Cluster is deleted and when this cluster is disposed.
    /// </summary>
    public IReadOnlyDictionary<string, KubeSimCluster> WorkloadClusters => _runtime.WorkloadClusters.Running;

    public void WriteKubeconfig(string path) => File.WriteAllText(path, AdminKubeconfigYaml);

    /// <summary>A kubeconfig for any bearer token (a ServiceAccount's, one from <see cref="IssueToken"/>...).</summary>
    public string KubeconfigForToken(string token, string userName = "user") => Kubeconfig.WithToken(Name, Server, CaData, userName, token);

    /// <summary>A client certificate signed by this cluster's CA: CN = user, O = groups.</summary>
    public IssuedClientCertificate IssueClientCertificate(string user, IEnumerable<string> groups, DateTimeOffset notAfter, DateTimeOffset? notBefore = null) =>
        _runtime.Ca.IssueClientCertificate(user, groups, notBefore ?? _runtime.Time.GetUtcNow().AddMinutes(-5), notAfter);

    public string ClientCertificateKubeconfig(string user, IEnumerable<string> groups, DateTimeOffset notAfter)
    {
        var issued = IssueClientCertificate(user, groups, notAfter);
        return Kubeconfig.WithClientCertificate(Name, Server, CaData, user, issued.CertificateData, issued.KeyData);
    }

    /// <summary>
    /// A bearer token (a JWT signed by the cluster) for <paramref name="user"/> in <paramref name="groups"/>; with
    /// <paramref name="expiresAt"/> it carries <c>exp</c> and is refused (401) afterwards.
    /// </summary>
    public string IssueToken(string user, IEnumerable<string> groups, DateTimeOffset? expiresAt = null) =>
        _runtime.Tokens.IssueUserToken(user, groups, expiresAt);

    /// <summary>Makes a token (admin, issued or ServiceAccount) answer 401 from now on.</summary>
    public void RevokeToken(string token) => _runtime.Authenticator.Revoke(token);

    /// <summary>
    /// Sends the service proxy's traffic for Service port <paramref name="port"/> of <paramref name="ns"/>/<paramref name="name"/>
    /// to <paramref name="backend"/> (its host and port; the scheme comes from the proxy URL, http when it names none),
    /// as the Service's endpoints would on a real cluster. The Service itself must exist (see <see cref="ExposeService"/>);
    /// without a route the proxy answers 503 "no endpoints available for service".
    /// </summary>
    public void RouteService(string ns, string name, int port, Uri backend) =>
        _runtime.ServiceRoutes.Set(ns, name, port, new Proxy.ServiceBackend.Remote(backend));

    /// <summary>The service proxy answers 503 "no endpoints available" for this port again.</summary>
    public void UnrouteService(string ns, string name, int port) => _runtime.ServiceRoutes.Remove(ns, name, port);

    /// <summary>
    /// Creates (or keeps) a selector-less ClusterIP Service <paramref name="ns"/>/<paramref name="name"/> with one TCP
    /// port named <paramref name="portName"/> and routes it to <paramref name="backend"/>.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject ExposeService(string ns, string name, int port, Uri backend, string portName = "web",
        IReadOnlyDictionary<string, string>? labels = null)
    {
        Objects.EnsureNamespace(ns);
        var service = Objects.Get("v1", "Service", name, ns) ?? Objects.Create(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = name, ["namespace"] = ns,
                ["labels"] = new System.Text.Json.Nodes.JsonObject((labels ?? new Dictionary<string, string>())
                    .Select(l => KeyValuePair.Create(l.Key, (System.Text.Json.Nodes.JsonNode?)l.Value))),
            },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["ports"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                {
                    ["name"] = portName, ["port"] = port, ["protocol"] = "TCP", ["targetPort"] = port,
                }),
            },
        });
        RouteService(ns, name, port, backend);
        return service;
    }

    /// <summary>
    /// Creates the Service <c>kube-system/kube-state-metrics</c> (port 8080 "http-metrics"); the simulator answers
    /// <c>/metrics</c> behind it with kube-state-metrics' series for the cluster's objects.
    /// </summary>
    public void EnableKubeStateMetrics()
    {
        Objects.EnsureNamespace(Metrics.KubeStateMetrics.Namespace);
        if (Objects.Get("v1", "Service", Metrics.KubeStateMetrics.ServiceName, Metrics.KubeStateMetrics.Namespace) is not null) return;
        Objects.Create(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = Metrics.KubeStateMetrics.ServiceName, ["namespace"] = Metrics.KubeStateMetrics.Namespace,
                ["labels"] = new System.Text.Json.Nodes.JsonObject { ["app.kubernetes.io/name"] = "kube-state-metrics" },
            },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["ports"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                {
                    ["name"] = Metrics.KubeStateMetrics.PortName, ["port"] = Metrics.KubeStateMetrics.Port, ["protocol"] = "TCP", ["targetPort"] = "http-metrics",
                }),
            },
        });
    }

    public static async Task<KubeSimCluster> StartAsync(KubeSimOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeSimOptions();
        var time = options.TimeProvider;
        var stopping = new CancellationTokenSource();
        var store = new ObjectStore(options.WatchHistoryCapacity);
        var catalog = new ResourceCatalog();
        var ca = ClusterCertificateAuthority.Create(options.Name, time);
        var tokens = new TokenIssuer(time);
        ClusterRuntime? runtimeRef = null;
        var registry = new ObjectRegistry(store, catalog, () => runtimeRef!.Admission, time);
        var authenticator = new Authenticator(tokens, ca,
            (ns, name) => store.Get("/serviceaccounts", ns, name)?.Parse()["metadata"]?["uid"]?.GetValue<string>(), time, options.AnonymousAuth);
        var adminToken = options.AdminToken ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        authenticator.AddStaticToken(adminToken, UserInfo.Authenticated(AdminUser, [UserInfo.MastersGroup]));
        KubeSimCluster? clusterRef = null;
        var runtime = new ClusterRuntime
        {
            Options = options,
            Time = time,
            Store = store,
            Catalog = catalog,
            Registry = registry,
            Ca = ca,
            Tokens = tokens,
            Authenticator = authenticator,
            Authorizer = new RbacAuthorizer(store),
            Faults = new FaultInjector(store, availability => clusterRef!.SetAvailabilityAsync(availability)),
            Audit = new ClusterAudit(time),
            Watches = new WatchStream(registry, options.BookmarkInterval),
            Logs = new Logs.PodLogs(time, options.LogLineInterval),
            Stopping = stopping.Token,
            KubernetesVersion = options.KubernetesVersion,
        };
        runtimeRef = runtime;
        runtime.Admission = AdmissionPlugins.Create(runtime);
        var cluster = clusterRef = new KubeSimCluster(runtime, stopping, adminToken);
        runtime.LogShipping = new Otlp.ClusterLogShipping(runtime, cluster.Objects);
        cluster.Bootstrap();
        if (options.Audit is not null) await runtime.Audit.ConfigureAsync(options.Audit);
        cluster._port = options.Port;
        await cluster.SetAvailabilityAsync(ServerAvailability.Serving, cancellationToken);
        runtime.ServerAddress = $"127.0.0.1:{cluster._port}";
        runtime.ServiceRoutes.Set(Metrics.KubeStateMetrics.Namespace, Metrics.KubeStateMetrics.ServiceName, Metrics.KubeStateMetrics.Port,
            new Proxy.ServiceBackend.Local(new Metrics.KubeStateMetrics(runtime).Answer));
        if (options.KubeStateMetrics) cluster.EnableKubeStateMetrics();
        if (options.SeedPods > 0) cluster.Objects.SeedPods("default", options.SeedPods);
        return cluster;
    }

    /// <summary>What the apiserver and the controllers set up before the first request: RBAC, namespaces, nodes.</summary>
    void Bootstrap()
    {
        var write = WriteOptions.Internal("kube-apiserver");
        foreach (var role in DefaultRbacPolicy.ClusterRoles())
            _runtime.Registry.Create(_runtime.Type(RbacAuthorizer.Group, "clusterroles"), "", role, write);
        foreach (var binding in DefaultRbacPolicy.ClusterRoleBindings())
            _runtime.Registry.Create(_runtime.Type(RbacAuthorizer.Group, "clusterrolebindings"), "", binding, write);
        _controllers = new ControllerManager(_runtime, ControllerSet.Create(_runtime));
        _controllers.Start();
        // A real apiserver's watch cache starts at the revision it found on start-up: older resourceVersions
        // (resourceVersion=1, say) are already "too old" to watch from, even on a brand-new cluster.
        lock (_runtime.Store.Gate) _runtime.Store.History.CompactThrough(_runtime.Store.CurrentResourceVersion);
    }

    internal async Task SetAvailabilityAsync(ServerAvailability availability, CancellationToken cancellationToken = default)
    {
        await _availabilityGate.WaitAsync(cancellationToken);
        try
        {
            if (availability == Availability) return;
            if (_host is not null) { await _host.DisposeAsync(); _host = null; }
            if (_silent is not null) { await _silent.DisposeAsync(); _silent = null; }
            _reservation?.Dispose();
            _reservation = null;
            switch (availability)
            {
                case ServerAvailability.Serving:
                    _host = await StartHostWithRetry(cancellationToken);
                    _port = _host.Port;
                    break;
                case ServerAvailability.Hanging:
                    _silent = new SilentListener(_port);
                    break;
                case ServerAvailability.Refusing:
                    _reservation = PortReservation.TryBind(_port);
                    break;
            }
            Availability = availability;
        }
        finally
        {
            _availabilityGate.Release();
        }
    }

    /// <summary>Rebinding the same port right after closing it can briefly fail while the old socket winds down.</summary>
    async Task<KestrelHost> StartHostWithRetry(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await KestrelHost.StartAsync(_port, _runtime.Ca.ServerCertificate, _handler.Handle, cancellationToken);
            }
            catch (IOException) when (attempt < 50 && _port != 0)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync();
        if (_controllers is not null) await _controllers.DisposeAsync();
        await _runtime.WorkloadClusters.DisposeAsync();
        if (_host is not null) await _host.DisposeAsync();
        if (_silent is not null) await _silent.DisposeAsync();
        _reservation?.Dispose();
        await _runtime.Audit.DisposeAsync();
        if (_runtime.LogShipping is not null) await _runtime.LogShipping.DisposeAsync();
        _runtime.Tokens.Dispose();
        _runtime.Ca.Dispose();
        _stopping.Dispose();
    }
}
