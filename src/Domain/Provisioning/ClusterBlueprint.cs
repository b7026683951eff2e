using System.Text.RegularExpressions;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Provisioning;

public sealed record NodeTaint(string Key, string? Value, string Effect)
{
    public static readonly IReadOnlyList<string> Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
}

/// <summary>
/// A group of identical worker machines: a MachineDeployment (or a MachinePool on managed Kubernetes). MinSize and
/// MaxSize, when given, become the cluster autoscaler's node-group annotations. GPUs per node is informative for
/// scheduling and quotas; the machine type is what brings the GPUs. Version is set only while an upgrade has moved
/// the control plane and not yet this pool (null: the cluster's version).
/// </summary>
public sealed record NodePoolSpec(
    string Name, string MachineType, int Replicas, int? MinSize = null, int? MaxSize = null,
    IReadOnlyDictionary<string, string>? Labels = null, IReadOnlyList<NodeTaint>? Taints = null, int GpusPerNode = 0,
    string? Version = null)
{
    public const int MaxReplicas = 1000;
    public bool Autoscaled => MinSize is not null || MaxSize is not null;
}

public sealed record ControlPlaneSpec(int Replicas, string? MachineType = null);

public sealed record NetworkSpec(IReadOnlyList<string> PodCidrs, IReadOnlyList<string> ServiceCidrs)
{
    public static NetworkSpec Default { get; } = new(["192.168.0.0/16"], ["10.128.0.0/12"]);
}

/// <summary>
/// Everything Cocktail needs to build a cluster's Cluster API objects: the same model behind the form, the API and
/// the preview. <see cref="ClusterClass"/> set means a topology cluster (<c>spec.topology</c>): the class's templates
/// decide the infrastructure objects, and the node pools name its machine deployment classes in MachineType.
/// </summary>
public sealed record ClusterBlueprint(
    string Name, string Namespace, Infrastructure Infrastructure, string KubernetesVersion,
    ControlPlaneSpec ControlPlane, IReadOnlyList<NodePoolSpec> NodePools, NetworkSpec Network,
    IReadOnlyDictionary<string, string> Settings, string? ClusterClass = null)
{
    public const int MaxNodePools = 20;
    public const int MaxSettingLength = 1024;

    public KubernetesVersion Version => Provisioning.KubernetesVersion.TryParse(KubernetesVersion, out var v) ? v : default;

    /// <summary>Every problem at once, each with its field (camelCase JSON path), so a form can mark them all.</summary>
    public IReadOnlyList<DomainError> Check()
    {
        var problems = new List<DomainError>();
        void Add(string field, string message) => problems.Add(DomainError.Invalid(message, field));

        if (!DnsLabel.IsValid(Name)) Add("name", $"The cluster's name has {DnsLabel.Rule}.");
        if (!DnsLabel.IsValid(Namespace)) Add("namespace", $"The namespace has {DnsLabel.Rule}.");
        if (!Provisioning.KubernetesVersion.TryParse(KubernetesVersion, out _)) Add("kubernetesVersion", $"The version is {Provisioning.KubernetesVersion.Rule}.");
        var info = InfrastructureCatalog.All.FirstOrDefault(i => i.Kind == Infrastructure);
        if (info is null) { Add("infrastructure", "Unknown infrastructure."); return problems; }

        if (ClusterClass is not null && (ClusterClass.Length > 253 || !DnsSubdomain.IsMatch(ClusterClass))) Add("clusterClass", "The ClusterClass's name is a DNS subdomain.");
        if (ControlPlane is null) Add("controlPlane", "The control plane is required.");
        else if (!info.ManagedControlPlane)
        {
            if (ControlPlane.Replicas is not (1 or 3 or 5 or 7))
                Add("controlPlane.replicas", "A kubeadm control plane has 1, 3, 5 or 7 machines (an odd number keeps etcd's quorum).");
            if (ClusterClass is null && string.IsNullOrWhiteSpace(ControlPlane.MachineType))
                Add("controlPlane.machineType", $"The control plane's {info.MachineTypeLabel.ToLowerInvariant()} is required.");
        }
        CheckPools(info, Add);
        CheckNetwork(Add);
        if (ClusterClass is null)
            foreach (var setting in info.RequiredSettings)
                if (!Settings.TryGetValue(setting.Key, out var value) || string.IsNullOrWhiteSpace(value))
                    Add($"settings.{setting.Key}", $"{setting.Label} is required for {info.DisplayName}.");
        foreach (var (key, value) in Settings)
        {
            if (info.Settings.All(s => s.Key != key)) Add($"settings.{key}", $"{info.DisplayName} has no setting '{key}'.");
            else if (value is { Length: > MaxSettingLength }) Add($"settings.{key}", $"At most {MaxSettingLength} characters.");
        }
        return problems;
    }

    private void CheckPools(InfrastructureInfo info, Action<string, string> add)
    {
        if (NodePools is null) { add("nodePools", "Give the node pools (an empty list for none)."); return; }
        if (NodePools.Count > MaxNodePools) add("nodePools", $"At most {MaxNodePools} node pools.");
        if (info.ManagedControlPlane && NodePools.Count == 0) add("nodePools", $"{info.DisplayName} needs at least one node pool to run workloads.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < NodePools.Count; i++)
        {
            var pool = NodePools[i];
            var at = $"nodePools[{i}]";
            if (pool is null) { add(at, "A node pool is missing."); continue; }
            if (!DnsLabel.IsValid(pool.Name) || pool.Name.Length > 40) add($"{at}.name", "A pool's name has lowercase letters, digits and '-', at most 40 characters.");
            else if (!names.Add(pool.Name)) add($"{at}.name", $"Another pool is named '{pool.Name}'.");
            if (string.IsNullOrWhiteSpace(pool.MachineType) || pool.MachineType.Length > 253)
                add($"{at}.machineType", ClusterClass is null ? $"The pool's {info.MachineTypeLabel.ToLowerInvariant()} is required." : "The pool's machine deployment class is required.");
            if (pool.Replicas is < 0 or > NodePoolSpec.MaxReplicas) add($"{at}.replicas", $"Between 0 and {NodePoolSpec.MaxReplicas} nodes.");
            if (pool.MinSize is < 0) add($"{at}.minSize", "The minimum is 0 or more.");
            if (pool.MaxSize is < 1 or > NodePoolSpec.MaxReplicas) add($"{at}.maxSize", $"The maximum is between 1 and {NodePoolSpec.MaxReplicas}.");
            if (pool.MinSize is { } min && pool.MaxSize is { } max)
            {
                if (min > max) add($"{at}.minSize", $"The minimum ({min}) is above the maximum ({max}).");
                else if (pool.Replicas < min || pool.Replicas > max) add($"{at}.replicas", $"The node count is between the minimum ({min}) and the maximum ({max}).");
            }
            else if (pool.Autoscaled) add(pool.MinSize is null ? $"{at}.minSize" : $"{at}.maxSize", "The autoscaler needs both a minimum and a maximum.");
            if (pool.GpusPerNode is < 0 or > 16) add($"{at}.gpusPerNode", "Between 0 and 16 GPUs per node.");
            foreach (var (key, value) in pool.Labels ?? new Dictionary<string, string>())
                if (key is null or { Length: > 317 } || value is null || value.Length > 63 || !LabelKey.IsMatch(key) || (value.Length > 0 && !LabelValue.IsMatch(value)))
                    add($"{at}.labels", $"'{Short(key)}' is not a valid Kubernetes label.");
            for (var t = 0; t < (pool.Taints?.Count ?? 0); t++)
            {
                var taint = pool.Taints![t];
                if (taint is null || taint.Key is null or { Length: > 317 } || !LabelKey.IsMatch(taint.Key) || !NodeTaint.Effects.Contains(taint.Effect)
                    || (taint.Value is { Length: > 0 } v && (v.Length > 63 || !LabelValue.IsMatch(v))))
                    add($"{at}.taints[{t}]", $"A taint has a label-like key, an optional value and an effect: {string.Join(", ", NodeTaint.Effects)}.");
            }
        }
    }

    private void CheckNetwork(Action<string, string> add)
    {
        if (Network is null) { add("network", "The network is required."); return; }
        var all = new List<(string Field, Cidr Cidr)>();
        void Read(IReadOnlyList<string>? blocks, string field)
        {
            if (blocks is null || blocks.Count is 0 or > 2) { add(field, "Give one CIDR block (or two for dual stack)."); return; }
            for (var i = 0; i < blocks.Count; i++)
                if (Cidr.TryParse(blocks[i], out var cidr, out var problem)) all.Add(($"{field}[{i}]", cidr));
                else add($"{field}[{i}]", $"'{Short(blocks[i])}' {problem}.");
        }
        Read(Network.PodCidrs, "network.podCidrs");
        Read(Network.ServiceCidrs, "network.serviceCidrs");
        for (var i = 0; i < all.Count; i++)
            for (var j = i + 1; j < all.Count; j++)
                if (all[i].Cidr.Overlaps(all[j].Cidr))
                    add(all[j].Field, $"{all[j].Cidr} overlaps {all[i].Cidr} ({all[i].Field}): pods and services need separate ranges.");
    }

    private static string Short(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    // Linear-time matching (no backtracking): these run on user input, and a wall-clock timeout would turn a busy
    // machine into an exception instead of a field error.
    private static readonly Regex DnsSubdomain = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.NonBacktracking);
    private static readonly Regex LabelKey = new("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.NonBacktracking);
    private static readonly Regex LabelValue = new("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.NonBacktracking);
}
