using System.Collections.Concurrent;
using System.Text.Json.Nodes;
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
