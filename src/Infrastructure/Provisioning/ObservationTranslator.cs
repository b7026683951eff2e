using System.Text.Json;
using Cocktail.Application.Provisioning;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>What Cocktail read of one provisioned cluster on its management cluster, as Cluster API's JSON.</summary>
internal sealed record ClusterApiObjects(
    JsonElement Cluster, JsonElement? ControlPlane, JsonElement? InfrastructureCluster,
    IReadOnlyList<JsonElement> MachineDeployments, IReadOnlyList<JsonElement> MachinePools, IReadOnlyList<JsonElement> Machines);

/// <summary>
/// Translates Cluster API v1beta2 objects into the domain's <see cref="ProvisioningObservation"/>. Pure: the gateway
/// reads, this reads the JSON, the aggregate decides.
/// <para>
/// Where Cluster API says a cluster failed (contract v1beta2, https://cluster-api.sigs.k8s.io/developer/providers/contracts/infra-cluster
/// and the v1beta2 conditions proposal): <c>status.phase: Failed</c> with the former
/// <c>status.failureReason/failureMessage</c> moved to <c>status.deprecated.v1beta1</c>; an infrastructure cluster or a
/// control plane reporting a terminal failure in <c>status.failureReason/failureMessage</c> (or the same under
/// <c>status.deprecated.v1beta1</c>), which Cluster API surfaces but never retries; or the Cluster's
/// <c>InfrastructureReady</c> condition False with a reason the provider documents as terminal.
/// </para>
/// </summary>
internal static class ObservationTranslator
{
    public const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    public const string ControlPlaneLabel = "cluster.x-k8s.io/control-plane";
    public const string DeploymentNameLabel = "cluster.x-k8s.io/deployment-name";
    public const string MachinePoolNameLabel = "cluster.x-k8s.io/pool-name";
    public const string TopologyDeploymentLabel = "topology.cluster.x-k8s.io/deployment-name";
    public const string TopologyMachinePoolLabel = "topology.cluster.x-k8s.io/pool-name";
    public const string NodePoolLabel = "cocktail.io/node-pool";

    /// <summary>
    /// InfrastructureReady=False reasons (mirrored by Cluster API from the infrastructure cluster's Ready condition)
    /// that the providers use when they stopped trying: CAPO <c>OpenStackError</c> (api/v1beta1/conditions_consts.go),
    /// CAPV <c>VCenterUnreachable</c>, CAPM3 <c>InternalFailure</c> (metal3cluster_types.go), CAPA
    /// <c>EKSControlPlaneReconciliationFailed</c>, CAPG <c>GKEControlPlaneReconciliationFailed</c>, and CAPO's
    /// <c>InstanceCreateFailed</c> on a machine.
    /// </summary>
    public static readonly IReadOnlySet<string> TerminalInfrastructureReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "OpenStackError", "VCenterUnreachable", "InternalFailure", "EKSControlPlaneReconciliationFailed",
        "GKEControlPlaneReconciliationFailed", "InstanceCreateFailed",
    };

    public static ProvisioningObservation Translate(ClusterApiObjects seen, ClusterBlueprint desired, bool managedControlPlane)
    {
        var cluster = seen.Cluster;
        var status = Child(cluster, "status");
        var conditions = Conditions(status);
        var phase = Text(status, "phase");
        var failure = ClusterFailure(phase, status, conditions, seen);
        var controlPlane = managedControlPlane
            ? ManagedControlPlane(seen.ControlPlane, desired)
            : KubeadmControlPlane(seen.ControlPlane, seen.Machines, desired);
        var pools = new Dictionary<string, PartObservation>(StringComparer.Ordinal);
        foreach (var md in seen.MachineDeployments)
            if (PoolName(md, desired) is { } pool)
                pools[pool] = Pool(md, seen.Machines.Where(m => Label(m, DeploymentNameLabel) == Name(md)).ToList(), desired);
        foreach (var mp in seen.MachinePools)
            if (PoolName(mp, desired) is { } pool && !pools.ContainsKey(pool))
                pools[pool] = Pool(mp, seen.Machines.Where(m => Label(m, MachinePoolNameLabel) == Name(mp)).ToList(), desired);
        return new ProvisioningObservation(true, phase, conditions, failure, controlPlane, pools);
    }

    private static ObservedFailure? ClusterFailure(string? phase, JsonElement? status, IReadOnlyList<ObservedCondition> conditions, ClusterApiObjects seen)
    {
        if (phase == "Failed")
            return DeprecatedFailure(status) ?? new ObservedFailure("Failed", "Cluster API reports the cluster as Failed.");
        if (ObjectFailure(seen.InfrastructureCluster) is { } infrastructure) return infrastructure;
        if (ObjectFailure(seen.ControlPlane) is { } controlPlane) return controlPlane;
        if (conditions.FirstOrDefault(c => c.Type == "InfrastructureReady" && c.Status == "False") is { Reason: { } reason } infra &&
            TerminalInfrastructureReasons.Contains(reason))
            return new ObservedFailure(reason, infra.Message ?? reason);
        return null;
    }

    /// <summary>A provider object's own terminal failure: <c>status.failureReason/failureMessage</c>, or their deprecated place.</summary>
    /// <remarks>
    /// Providers still on v1beta1 conditions (CAPA, CAPG) mark a failed reconciliation with a False condition of
    /// severity <c>Error</c> and a <c>...ReconciliationFailed</c> reason; its reason names the failure when
    /// <c>failureReason</c> is empty.
    /// </remarks>
    private static ObservedFailure? ObjectFailure(JsonElement? obj)
    {
        var status = Child(obj, "status");
        var errorCondition = Child(status, "conditions") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().FirstOrDefault(c => Text(c, "status") == "False" &&
                (Text(c, "severity") == "Error" || TerminalInfrastructureReasons.Contains(Text(c, "reason") ?? "")))
            : default;
        var conditionReason = errorCondition.ValueKind == JsonValueKind.Object ? Text(errorCondition, "reason") : null;
        var reason = Text(status, "failureReason");
        var message = Text(status, "failureMessage");
        if (reason is not null || message is not null) return new ObservedFailure(reason ?? conditionReason ?? "Failed", message ?? reason!);
        if (DeprecatedFailure(status) is { } deprecated) return deprecated;
        return conditionReason is not null ? new ObservedFailure(conditionReason, Text(errorCondition, "message") ?? conditionReason) : null;
    }

    private static ObservedFailure? DeprecatedFailure(JsonElement? status)
    {
        var v1beta1 = Child(Child(status, "deprecated"), "v1beta1");
        var reason = Text(v1beta1, "failureReason");
        var message = Text(v1beta1, "failureMessage");
        return reason is null && message is null ? null : new ObservedFailure(reason ?? "Failed", message ?? reason!);
    }

    /// <summary>
    /// A KubeadmControlPlane: its version is the one every control plane machine runs (null while they differ), up to
    /// date when every replica is up to date and ready and no rollout is going on (v1beta2 <c>RollingOut</c>).
    /// </summary>
    private static PartObservation? KubeadmControlPlane(JsonElement? kcp, IReadOnlyList<JsonElement> machines, ClusterBlueprint desired)
    {
        if (kcp is null) return null;
        var status = Child(kcp, "status");
        var ours = machines.Where(m => HasLabel(m, ControlPlaneLabel)).ToList();
        var replicas = Int(status, "replicas");
        var ready = Int(status, "readyReplicas");
        var upToDate = Int(status, "upToDateReplicas");
        var rollingOut = Conditions(status).Any(c => c.Type == "RollingOut" && c.Status == "True");
        var specReplicas = Int(Child(kcp, "spec"), "replicas");
        var version = CommonVersion(ours, desired) ?? (ours.Count == 0 ? Normalize(Text(status, "version"), desired.KubernetesVersion) : null);
        var done = replicas > 0 && upToDate == replicas && ready == replicas && (specReplicas == 0 || specReplicas == replicas) && !rollingOut;
        return new PartObservation(version, done, replicas, ready, MachineFailure(ours) ?? DeprecatedFailure(status));
    }

    /// <summary>A managed control plane (EKS, AKS, GKE): the version the cloud reports, up to date when it is the one asked for and ready.</summary>
    private static PartObservation? ManagedControlPlane(JsonElement? cp, ClusterBlueprint desired)
    {
        if (cp is null) return null;
        var status = Child(cp, "status");
        var spec = Child(cp, "spec");
        var version = Normalize(Text(status, "version") ?? Text(status, "currentVersion") ?? Text(status, "currentKubernetesVersion"), desired.KubernetesVersion);
        var wanted = Normalize(Text(spec, "version") ?? Text(spec, "controlPlaneVersion") ?? Text(spec, "kubernetesVersion"), desired.KubernetesVersion);
        var ready = Bool(status, "ready") || Bool(Child(status, "initialization"), "controlPlaneInitialized") ||
                    Conditions(status).Any(c => c.Type is "Ready" or "Available" && c.Status == "True");
        var upgrading = Conditions(status).Any(c => c.Type is "RollingOut" or "EKSControlPlaneUpdating" && c.Status == "True");
        var done = ready && !upgrading && version is not null && (wanted is null || version == wanted);
        return new PartObservation(version, done, ready ? 1 : 0, ready ? 1 : 0, ObjectFailure(cp));
    }

    /// <summary>A MachineDeployment or a MachinePool with its machines.</summary>
    private static PartObservation Pool(JsonElement owner, IReadOnlyList<JsonElement> machines, ClusterBlueprint desired)
    {
        var status = Child(owner, "status");
        var spec = Child(owner, "spec");
        var replicas = Int(status, "replicas");
        var ready = Int(status, "readyReplicas");
        var upToDate = Int(status, "upToDateReplicas");
        var specReplicas = Int(spec, "replicas");
        var rollingOut = Conditions(status).Any(c => c.Type == "RollingOut" && c.Status == "True");
        var templateVersion = Normalize(Text(Child(Child(spec, "template"), "spec"), "version"), desired.KubernetesVersion);
        var done = upToDate == specReplicas && replicas == specReplicas && ready == specReplicas && !rollingOut &&
                   machines.All(m => Normalize(Text(Child(m, "spec"), "version"), desired.KubernetesVersion) == templateVersion);
        var version = machines.Count > 0 ? CommonVersion(machines, desired) : done ? templateVersion : null;
        return new PartObservation(version, done, replicas, ready, MachineFailure(machines) ?? DeprecatedFailure(status));
    }

    /// <summary>A machine that failed for good: phase Failed, or the failure Cluster API v1beta2 keeps under <c>status.deprecated.v1beta1</c>.</summary>
    private static ObservedFailure? MachineFailure(IEnumerable<JsonElement> machines)
    {
        foreach (var machine in machines)
        {
            var status = Child(machine, "status");
            if (ObjectFailure(machine) is { } failure) return failure with { Message = $"Machine {Name(machine)}: {failure.Message}" };
            if (Text(status, "phase") == "Failed")
                return new ObservedFailure("MachineFailed", $"Machine {Name(machine)} failed.");
            if (Conditions(status).FirstOrDefault(c => c.Type == "InfrastructureReady" && c.Status == "False" &&
                                                       TerminalInfrastructureReasons.Contains(c.Reason ?? "")) is { } infrastructure)
                return new ObservedFailure(infrastructure.Reason!, $"Machine {Name(machine)}: {infrastructure.Message}");
        }
        return null;
    }

    private static string? CommonVersion(IReadOnlyList<JsonElement> machines, ClusterBlueprint desired)
    {
        var versions = machines.Select(m => Normalize(Text(Child(m, "spec"), "version"), desired.KubernetesVersion)).Distinct().ToList();
        return versions is [{ } only] ? only : null;
    }

    /// <summary>
    /// The pool a MachineDeployment or MachinePool belongs to: the topology's name for it, Cocktail's pool label, or the
    /// <c>&lt;cluster&gt;-&lt;pool&gt;</c> name Cocktail gives it.
    /// </summary>
    internal static string? PoolName(JsonElement owner, ClusterBlueprint desired)
    {
        var names = desired.NodePools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var label in new[] { TopologyDeploymentLabel, TopologyMachinePoolLabel, NodePoolLabel })
            if (Label(owner, label) is { } named && names.Contains(named)) return named;
        var name = Name(owner);
        if (name is null) return null;
        if (name.StartsWith(desired.Name + "-", StringComparison.Ordinal) && names.Contains(name[(desired.Name.Length + 1)..])) return name[(desired.Name.Length + 1)..];
        return names.Contains(name) ? name : null;
    }

    /// <summary>v1beta2 conditions (metav1.Condition) of an object's status.</summary>
    public static IReadOnlyList<ObservedCondition> Conditions(JsonElement? status)
    {
        if (Child(status, "conditions") is not { ValueKind: JsonValueKind.Array } list) return [];
        return [.. list.EnumerateArray()
            .Where(c => Text(c, "type") is not null && Text(c, "status") is not null)
            .Select(c => new ObservedCondition(Text(c, "type")!, Text(c, "status")!, Text(c, "reason"), Text(c, "message")))];
    }

    public static MachineInfo Machine(JsonElement machine, ClusterBlueprint? desired)
    {
        var spec = Child(machine, "spec");
        var status = Child(machine, "status");
        var deployment = Label(machine, TopologyDeploymentLabel) ?? Label(machine, DeploymentNameLabel) ?? Label(machine, MachinePoolNameLabel);
        if (deployment is not null && desired is not null && deployment.StartsWith(desired.Name + "-", StringComparison.Ordinal) &&
            desired.NodePools.Any(p => p.Name == deployment[(desired.Name.Length + 1)..]))
            deployment = deployment[(desired.Name.Length + 1)..];
        var created = Text(Child(machine, "metadata"), "creationTimestamp");
        return new MachineInfo(
            Name(machine) ?? "", HasLabel(machine, ControlPlaneLabel) ? null : deployment, HasLabel(machine, ControlPlaneLabel),
            Text(status, "phase") ?? "Pending", Text(spec, "version"), Text(Child(status, "nodeRef"), "name"), Conditions(status),
            DateTimeOffset.TryParse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null);
    }

    /// <summary>Observed versions as the domain writes them (<c>v1.33.2</c>); a cloud's <c>1.33</c> counts as the one asked for in that minor.</summary>
    internal static string? Normalize(string? observed, string desired)
    {
        if (string.IsNullOrWhiteSpace(observed)) return null;
        var core = observed.Trim().TrimStart('v');
        var plus = core.IndexOfAny(['+', '-']);
        if (plus > 0) core = core[..plus];
        if (KubernetesVersion.TryParse(core, out var full)) return full.ToString();
        if (KubernetesVersion.TryParse(desired, out var wanted) && core == $"{wanted.Major}.{wanted.Minor}") return wanted.ToString();
        var parts = core.Split('.');
        return parts.Length == 2 && KubernetesVersion.TryParse($"{parts[0]}.{parts[1]}.0", out var minor) ? minor.ToString() : observed;
    }

    internal static JsonElement? Child(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal static string? Text(JsonElement? element, string property) => element is { } e ? ServedKinds.Text(e, property) : null;

    private static int Int(JsonElement? element, string property) =>
        Child(element, property) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var value) ? value : 0;

    private static bool Bool(JsonElement? element, string property) => Child(element, property) is { ValueKind: JsonValueKind.True };

    internal static string? Name(JsonElement obj) => Text(Child(obj, "metadata"), "name");

    internal static string? Label(JsonElement obj, string label) => Text(Child(Child(obj, "metadata"), "labels"), label);

    private static bool HasLabel(JsonElement obj, string label) =>
        Child(Child(obj, "metadata"), "labels") is { ValueKind: JsonValueKind.Object } labels && labels.TryGetProperty(label, out _);
}
