using System.Text.Json.Nodes;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Builds a cluster's Cluster API objects from its blueprint: pure, no I/O, the same objects for the preview, the
/// schema check and the apply. Every object is written in its CRD's storage version with Cocktail's names
/// (<c>&lt;cluster&gt;</c>, <c>&lt;cluster&gt;-control-plane</c>, <c>&lt;cluster&gt;-&lt;pool&gt;</c>), keys in a fixed order and maps
/// sorted, so the same blueprint always gives the same JSON and a re-apply changes nothing.
/// </summary>
public static partial class ClusterObjects
{
    /// <summary>The field manager of every apply: the fields Cocktail sets are Cocktail's.</summary>
    public const string FieldManager = "cocktail";

    public const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    public const string PoolLabel = "cocktail.io/node-pool";
    public const string AutoscalerMinAnnotation = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
    public const string AutoscalerMaxAnnotation = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";
    public const string GpuLabel = "nvidia.com/gpu.present";

    internal const string CoreGroup = "cluster.x-k8s.io";
    internal const string ControlPlaneGroup = "controlplane.cluster.x-k8s.io";
    internal const string BootstrapGroup = "bootstrap.cluster.x-k8s.io";
    internal const string InfrastructureGroup = "infrastructure.cluster.x-k8s.io";
    internal const string CoreApi = CoreGroup + "/v1beta2";

    /// <summary>Every object, in apply order (templates and infrastructure first, the Cluster last).</summary>
    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.ClusterClass is not null) return TopologyObjects.Build(desired);
        return desired.Infrastructure switch
        {
            Infrastructure.OpenStack or Infrastructure.VSphere or Infrastructure.Metal3 => KubeadmObjects.Build(desired, KubeadmObjects.For(desired.Infrastructure)),
            Infrastructure.Eks => EksObjects.Build(desired),
            Infrastructure.Aks => AksObjects.Build(desired),
            Infrastructure.Gke => GkeObjects.Build(desired),
            _ => throw new ArgumentOutOfRangeException(nameof(desired), desired.Infrastructure, "Unknown infrastructure."),
        };
    }

    /// <summary>
    /// The objects of one pool (for removing a pool): its MachineDeployment or MachinePool and their templates. A
    /// topology cluster's pools are entries of its Cluster's topology, so they have no objects of their own.
    /// </summary>
    public static IReadOnlyList<JsonObject> PoolObjects(ClusterBlueprint desired, string pool)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.ClusterClass is not null) return [];
        if (desired.NodePools.FirstOrDefault(p => p.Name == pool) is not { } spec) return [];
        return desired.Infrastructure switch
        {
            Infrastructure.OpenStack or Infrastructure.VSphere or Infrastructure.Metal3 => KubeadmObjects.Pool(desired, KubeadmObjects.For(desired.Infrastructure), spec),
            Infrastructure.Eks => EksObjects.Pool(desired, spec),
            Infrastructure.Aks => AksObjects.Pool(desired, spec, desired.NodePools.ToList().IndexOf(spec) == 0),
            Infrastructure.Gke => GkeObjects.Pool(desired, spec),
            _ => [],
        };
    }

    /// <summary>The objects as one multi-document YAML, as shown before applying.</summary>
    public static string ToYaml(IReadOnlyList<JsonObject> objects) => ClusterObjectYaml.Write(objects);

    /// <summary>"Kind/name" of an object, as problems and the apply report name it.</summary>
    public static string Describe(JsonObject o) =>
        $"{o["kind"]?.GetValue<string>()}/{o["metadata"]?["name"]?.GetValue<string>()}";

    /// <summary>
    /// What the blueprint's own check cannot know: the provider's formats (a vSphere size, a Metal3 host selector,
    /// an image URL) and the name lengths Cluster API needs for its labels. Called after <see cref="ClusterBlueprint.Check"/>.
    /// </summary>
    public static IReadOnlyList<DomainError> Check(ClusterBlueprint desired) => ProviderChecks.Check(desired);

    // --- small builders shared by every infrastructure ---------------------------------------------------------

    internal static string ControlPlaneName(ClusterBlueprint b) => $"{b.Name}-control-plane";
    internal static string PoolName(ClusterBlueprint b, NodePoolSpec pool) => $"{b.Name}-{pool.Name}";

    /// <summary>The version with its leading v, as Cluster API writes it (v1.33.2).</summary>
    internal static string VersionOf(string version) =>
        KubernetesVersion.TryParse(version, out var v) ? v.ToString() : version;

    internal static string PoolVersion(ClusterBlueprint b, NodePoolSpec pool) => VersionOf(pool.Version ?? b.KubernetesVersion);

    /// <summary>An object with only the properties that have a value, in the order given.</summary>
    internal static JsonObject Obj(params (string Key, JsonNode? Value)[] properties)
    {
        var o = new JsonObject();
        foreach (var (key, value) in properties)
            if (value is not null) o[key] = value;
        return o;
    }

    internal static JsonArray Arr(IEnumerable<JsonNode?> items) => new([.. items]);

    internal static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);

    /// <summary>A string map sorted by key, so the output does not depend on the dictionary's order.</summary>
    internal static JsonObject Map(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var o = new JsonObject();
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal)) o[key] = value;
        return o;
    }

    internal static JsonObject Metadata(ClusterBlueprint b, string name, IEnumerable<KeyValuePair<string, string>>? labels = null, IEnumerable<KeyValuePair<string, string>>? annotations = null)
    {
        var allLabels = new Dictionary<string, string>(StringComparer.Ordinal) { [ClusterNameLabel] = b.Name };
        foreach (var (k, v) in labels ?? []) allLabels[k] = v;
        var notes = annotations?.ToList();
        return Obj(("name", name), ("namespace", b.Namespace), ("labels", Map(allLabels)), ("annotations", notes is { Count: > 0 } ? Map(notes) : null));
    }

    internal static JsonObject Resource(string apiVersion, string kind, JsonObject metadata, JsonObject spec) =>
        Obj(("apiVersion", apiVersion), ("kind", kind), ("metadata", metadata), ("spec", spec));

    /// <summary>A v1beta2 contract reference: the group, not the version, so the storage version can move.</summary>
    internal static JsonObject Ref(string apiGroup, string kind, string name) => Obj(("apiGroup", apiGroup), ("kind", kind), ("name", name));

    internal static JsonObject ClusterNetwork(ClusterBlueprint b) => Obj(
        ("pods", Obj(("cidrBlocks", Strings(b.Network.PodCidrs)))),
        ("services", Obj(("cidrBlocks", Strings(b.Network.ServiceCidrs)))));

    /// <summary>The pool's node labels: the user's, plus the GPU label on GPU pools (NVIDIA's GPU feature discovery uses it).</summary>
    internal static IReadOnlyDictionary<string, string> NodeLabels(NodePoolSpec pool)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pool.Labels ?? new Dictionary<string, string>()) labels[k] = v;
        if (pool.GpusPerNode > 0) labels[GpuLabel] = "true";
        return labels;
    }

    /// <summary>The cluster autoscaler's node-group bounds (cluster-api provider of the autoscaler), when the pool has them.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> AutoscalerAnnotations(NodePoolSpec pool) =>
        pool is { MinSize: { } min, MaxSize: { } max }
            ? [new(AutoscalerMinAnnotation, min.ToString(System.Globalization.CultureInfo.InvariantCulture)),
               new(AutoscalerMaxAnnotation, max.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [];

    internal static string Setting(ClusterBlueprint b, string key)
    {
        if (b.Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)) return value.Trim();
        return InfrastructureCatalog.Get(b.Infrastructure).Settings.FirstOrDefault(s => s.Key == key)?.Default ?? "";
    }

    internal static string? OptionalSetting(ClusterBlueprint b, string key) =>
        b.Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>A field of a built object that its CRD's schema refuses.</summary>
public sealed record SchemaProblem(string Object, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? $"{Object}: {Message}" : $"{Object}: {Path}: {Message}";
}
