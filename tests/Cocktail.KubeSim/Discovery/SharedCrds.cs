using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Controllers.ClusterApi;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// The CRDs kept beside the OpenAPI documents (<c>shared/kubernetes/crds/&lt;project&gt;/&lt;file&gt;.yaml</c>), for tests that
/// install them on a cluster as the project's chart would. Nothing is installed at start: a fresh cluster has no CRDs.
/// </summary>
public static class SharedCrds
{
    public static string Directory => Path.Combine(Path.GetDirectoryName(OpenApiDocuments.Directory.TrimEnd(Path.DirectorySeparatorChar))!, "crds");

    public static string Read(string project, string file) => File.ReadAllText(Path.Combine(Directory, project, file));

    /// <summary>Every CRD YAML of a project folder (e.g. "cluster-api", "capi-aws"), in file name order.</summary>
    public static IReadOnlyList<string> ReadAll(string project) =>
        System.IO.Directory.GetFiles(Path.Combine(Directory, project), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public const string TrivyOperator = "trivy-operator";
    public const string VulnerabilityReports = "aquasecurity.github.io_vulnerabilityreports.yaml";

    public const string ClusterApi = "cluster-api";
    public const string CapiOpenStack = "capi-openstack";
    public const string CapiVSphere = "capi-vsphere";
    public const string CapiMetal3 = "capi-metal3";
    public const string CapiAws = "capi-aws";
    public const string CapiAzure = "capi-azure";
    public const string CapiGcp = "capi-gcp";
    public const string FluxHelmController = "flux-helm-controller";
    public const string FluxSourceController = "flux-source-controller";

    /// <summary>Cluster API's core CRDs and every infrastructure provider's, as a management cluster has them.</summary>
    public static readonly IReadOnlyList<string> ClusterApiProjects = [ClusterApi, CapiOpenStack, CapiVSphere, CapiMetal3, CapiAws, CapiAzure, CapiGcp];

    static readonly ConcurrentDictionary<string, JsonObject> Parsed = new(StringComparer.Ordinal);

    /// <summary>The CRD objects of one project folder, parsed once per process (the YAML is large) and cloned per call.</summary>
    public static IReadOnlyList<JsonObject> Load(string project) =>
        System.IO.Directory.GetFiles(Path.Combine(Directory, project), "*.yaml").Order(StringComparer.Ordinal)
            .Select(file => Parsed.GetOrAdd(file, f => YamlToJson.Parse(File.ReadAllText(f)) as JsonObject
                                                    ?? throw new InvalidDataException($"{f} is not a YAML object")).CloneObject())
            .ToList();

    /// <summary>
    /// Creates (or replaces) every CRD of <paramref name="project"/> on the cluster, as <c>kubectl apply -f folder/</c>
    /// would, and waits until each is Established. Returns the CRD names.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InstallAsync(ClusterObjects objects, string project, TimeSpan? timeout = null)
    {
        var names = Create(objects, project);
        await WaitEstablishedAsync(objects, names, timeout);
        return names;
    }

    /// <summary>Installs Cluster API and all its providers' CRDs (<see cref="ClusterApiProjects"/>) and waits until they are Established.</summary>
    public static async Task<IReadOnlyList<string>> InstallClusterApiAsync(KubeSimCluster cluster, TimeSpan? timeout = null)
    {
        var names = ClusterApiProjects.SelectMany(p => Create(cluster.Objects, p)).ToList();
        await WaitEstablishedAsync(cluster.Objects, names, timeout);
        return names;
    }

    /// <summary>Flux's source-controller and helm-controller projects (HelmRepository, OCIRepository, HelmChart, GitRepository; HelmRelease).</summary>
    public static readonly IReadOnlyList<string> FluxProjects = [FluxSourceController, FluxHelmController];

    /// <summary>The <c>app.kubernetes.io/version</c> label <see cref="InstallFluxAsync"/> writes (a Flux 2 release; the CRDs are those of <c>shared/kubernetes/crds/flux-*</c>).</summary>
    public const string FluxVersion = "v2.7.0";

    /// <summary>
    /// Installs Flux as <c>flux install --components=source-controller,helm-controller</c> lays it out: the CRDs (waits until
    /// Established), the <c>flux-system</c> namespace, the controllers' ServiceAccounts, Deployments and the
    /// source-controller Service, and the <c>cluster-reconciler-flux-system</c> ClusterRoleBinding (cluster-admin for
    /// helm-controller, which acts as itself when a HelmRelease names no service account). The simulated controllers
    /// run only on clusters started with <see cref="KubeSimOptions.Flux"/>.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InstallFluxAsync(KubeSimCluster cluster, TimeSpan? timeout = null)
    {
        var names = FluxProjects.SelectMany(p => Create(cluster.Objects, p)).ToList();
        await WaitEstablishedAsync(cluster.Objects, names, timeout);
        var objects = cluster.Objects;
        JsonObject Labels(string? component) => new JsonObject
        {
            ["app.kubernetes.io/instance"] = "flux-system", ["app.kubernetes.io/part-of"] = "flux", ["app.kubernetes.io/version"] = FluxVersion,
        }.Also(l => { if (component is not null) l["app.kubernetes.io/component"] = component; });
        objects.Upsert(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = "flux-system", ["labels"] = Labels(null).Also(l => l["pod-security.kubernetes.io/warn"] = "restricted") },
        });
        foreach (var (component, image) in new[] { ("source-controller", "ghcr.io/fluxcd/source-controller:v1.9.0"), ("helm-controller", "ghcr.io/fluxcd/helm-controller:v1.6.0") })
        {
            objects.Upsert(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
                ["metadata"] = new JsonObject { ["name"] = component, ["namespace"] = "flux-system", ["labels"] = Labels(component) },
            });
            objects.Upsert(new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
                ["metadata"] = new JsonObject
                {
                    ["name"] = component, ["namespace"] = "flux-system",
                    ["labels"] = Labels(component).Also(l => l["control-plane"] = "controller"),
                },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 1,
                    ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = component } },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = component } },
                        ["spec"] = new JsonObject
                        {
                            ["serviceAccountName"] = component,
                            ["containers"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "manager", ["image"] = image,
                                ["args"] = new JsonArray("--events-addr=http://notification-controller.flux-system.svc.cluster.local./", "--watch-all-namespaces=true", "--log-level=info", "--log-encoding=json", "--enable-leader-election"),
                                ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["name"] = "http-prom" }),
                                ["resources"] = new JsonObject
                                {
                                    ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" },
                                    ["limits"] = new JsonObject { ["cpu"] = "1000m", ["memory"] = "1Gi" },
                                },
                            }),
                        },
                    },
                },
            });
        }
        objects.Upsert(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "source-controller", ["namespace"] = "flux-system", ["labels"] = Labels("source-controller").Also(l => l["control-plane"] = "controller") },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["selector"] = new JsonObject { ["app"] = "source-controller" },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP", ["targetPort"] = "http" }),
            },
        });
        objects.Upsert(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject { ["name"] = "cluster-reconciler-flux-system", ["labels"] = Labels(null) },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "cluster-admin" },
            ["subjects"] = new JsonArray(
                new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "kustomize-controller", ["namespace"] = "flux-system" },
                new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "helm-controller", ["namespace"] = "flux-system" }),
        });
        return names;
    }

    static List<string> Create(ClusterObjects objects, string project)
    {
        var names = new List<string>();
        foreach (var crd in Load(project))
        {
            objects.Upsert(crd);
            names.Add(crd.Str("metadata", "name")!);
        }
        return names;
    }

    /// <summary>Polls the stored bytes (not a parsed copy of a 300 KB CRD) until the apiextensions controller has set Established.</summary>
    static async Task WaitEstablishedAsync(ClusterObjects objects, List<string> names, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var store = objects.Registry.Store;
        var pending = new List<string>(names);
        while (true)
        {
            pending.RemoveAll(name => store.Get("apiextensions.k8s.io/customresourcedefinitions", "", name) is { } stored
                                      && stored.Json.AsSpan().IndexOf("\"type\":\"Established\",\"status\":\"True\""u8) >= 0);
            if (pending.Count == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"CRDs not Established: {string.Join(", ", pending)}");
            await Task.Delay(5);
        }
    }
}
