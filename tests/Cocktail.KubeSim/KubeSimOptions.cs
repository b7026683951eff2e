using Cocktail.KubeSim.Audit;

namespace Cocktail.KubeSim;

/// <summary>How a simulated cluster is shaped and how fast it behaves. Defaults keep tests quick.</summary>
public sealed record KubeSimOptions
{
    /// <summary>Cluster name, used in the kubeconfig (cluster, user and context names).</summary>
    public string Name { get; init; } = "kubesim";

    /// <summary>Number of worker nodes (kubesim-node-0..N-1) created at start, all Ready, each of <see cref="NodeShape"/>.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Capacity of each node; <see cref="NodeShapes"/> overrides it node by node.</summary>
    public NodeShape NodeShape { get; init; } = new();

    /// <summary>Per-node shapes (index = node number); nodes beyond the list use <see cref="NodeShape"/>.</summary>
    public IReadOnlyList<NodeShape> NodeShapes { get; init; } = [];

    /// <summary>Running pods to seed in the "default" namespace at start (spread over the nodes).</summary>
    public int SeedPods { get; init; }

    /// <summary>Fixed port on 127.0.0.1; 0 picks a free one (kept across <c>Faults.StopAnsweringAsync</c>/<c>ResumeAsync</c>).</summary>
    public int Port { get; init; }

    /// <summary>The admin bearer token (user kubesim-admin, group system:masters); random when null.</summary>
    public string? AdminToken { get; init; }

    /// <summary>Time from a pod being scheduled to its containers running (image pull, create, start).</summary>
    public TimeSpan PodStartDelay { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Time from running to Ready (the readiness probe passing).</summary>
    public TimeSpan PodReadyDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a Job's pod runs before it succeeds (or fails, see the fail annotation).</summary>
    public TimeSpan JobRunDuration { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long a deleted pod takes to terminate on its node (kubelet stopping containers).</summary>
    public TimeSpan PodTerminationDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>One generated log line per container per interval.</summary>
    public TimeSpan LogLineInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Number of changes kept for watch resumption; older resourceVersions get 410 Gone.</summary>
    public int WatchHistoryCapacity { get; init; } = 1000;

    /// <summary>
    /// Watches without timeoutSeconds end after a random duration between this and twice this, like the
    /// apiserver's --min-request-timeout (1800 s by default).
    /// </summary>
    public TimeSpan WatchMinRequestTimeout { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>How often watches that allow bookmarks receive one (about a minute on a real server).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Like --anonymous-auth=true: requests without credentials run as system:anonymous (and are mostly 403).</summary>
    public bool AnonymousAuth { get; init; } = true;

    /// <summary>Run the simulated controllers, scheduler and kubelets. Off gives a bare API server.</summary>
    public bool Controllers { get; init; } = true;

    /// <summary>Audit webhook set up at start; can also be configured later through <c>KubeSimCluster.Audit</c>.</summary>
    public AuditOptions? Audit { get; init; }

    /// <summary>
    /// Serve pod exec with the <c>v5.channel.k8s.io</c> WebSocket protocol (apiserver 1.30+); false leaves only
    /// <c>v4.channel.k8s.io</c>, as an older apiserver (proxying to the kubelet) speaks, to test a client's fallback.
    /// </summary>
    public bool ExecV5 { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Creates the Service <c>kube-system/kube-state-metrics</c> (port 8080, "http-metrics") at start, which the
    /// simulator answers through the service proxy (see <see cref="KubeSimCluster.EnableKubeStateMetrics"/>).
    /// </summary>
    public bool KubeStateMetrics { get; init; }

    /// <summary>The gitVersion /version reports and the kubelets' version (Cluster API workload clusters follow their control plane).</summary>
    public string KubernetesVersion { get; init; } = Discovery.DiscoveryDocuments.GitVersion;

    /// <summary>
    /// Simulate the Cluster API controllers (core, kubeadm bootstrap/control plane, topology) and the infrastructure
    /// providers once their CRDs are installed; provisioned clusters start as new simulated clusters.
    /// </summary>
    public bool ClusterApi { get; init; } = true;

    /// <summary>Time between two steps of a simulated Cluster API reconciliation (machine phases, node changes...).</summary>
    public TimeSpan ClusterApiStepDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Simulate Flux's source-controller and helm-controller (HelmRepository, OCIRepository, HelmChart, HelmRelease) once
    /// their CRDs are installed (<c>SharedCrds.InstallFluxAsync</c>). Off by default: a cluster has no Flux until it is installed.
    /// </summary>
    public bool Flux { get; init; }

    /// <summary>Time between two steps of a simulated Flux reconciliation (release action, remediation, retry).</summary>
    public TimeSpan FluxStepDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Options of the workload clusters Cluster API provisions (name, nodes and version are set per cluster).</summary>
    public KubeSimOptions? WorkloadClusterOptions { get; init; }
}

/// <summary>A node's capacity; allocatable equals capacity (no system reservations).</summary>
public sealed record NodeShape
{
    public string Cpu { get; init; } = "4";
    public string Memory { get; init; } = "16Gi";
    public int Pods { get; init; } = 110;
    public int NvidiaGpus { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Taints as (key, value, effect), e.g. ("nvidia.com/gpu", "present", "NoSchedule").</summary>
    public IReadOnlyList<(string Key, string Value, string Effect)> Taints { get; init; } = [];
}
