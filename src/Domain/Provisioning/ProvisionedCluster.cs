using System.Collections.Immutable;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Provisioning;

public enum ProvisioningStatus { Requested, Provisioning, Provisioned, Failed, Deleting, Deleted }

public sealed record ConditionState(string Status, string? Reason, string? Message);

/// <summary>An upgrade in progress: the steps left (the current one first) and the version they go to.</summary>
public sealed record UpgradeProgress(string From, string To, ImmutableList<string> Remaining);

/// <summary>
/// A cluster created through Cluster API, as its stream tells it. <see cref="Blueprint"/> is the desired state the
/// objects are built from: during an upgrade the control plane already has the new version while each pool keeps
/// its own (<see cref="NodePoolSpec.Version"/>) until its step starts.
/// </summary>
public sealed record ProvisionedCluster(
    Guid Id, Guid ManagementClusterId, string Name, ClusterBlueprint Blueprint, ProvisioningStatus Status,
    ImmutableDictionary<string, ConditionState> Conditions, Guid? RegisteredClusterId, string Version, UpgradeProgress? Upgrade)
{
    public const string Available = "Available";

    public static Decision Request(
        Guid id, Guid managementClusterId, string managementClusterName, ClusterBlueprint blueprint,
        IReadOnlyCollection<Infrastructure> installed, bool clusterClassesServed, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (blueprint.Check() is [var first, ..]) return first;
        var info = InfrastructureCatalog.Get(blueprint.Infrastructure);
        if (!installed.Contains(blueprint.Infrastructure))
            return DomainError.Invalid($"The {info.DisplayName} provider is not installed on '{managementClusterName}'.", "infrastructure");
        if (blueprint.ClusterClass is not null && !clusterClassesServed)
            return DomainError.Invalid($"'{managementClusterName}' does not serve ClusterClasses.", "clusterClass");
        var pools = blueprint.NodePools.Select(p => p with { Version = null }).ToList();
        var normalized = blueprint with { KubernetesVersion = blueprint.Version.ToString(), NodePools = pools };
        return Decision.Accept(new ClusterProvisionRequested(id, managementClusterId, managementClusterName, normalized, by, at, RemovalReason.Optional(reason)));
    }

    private bool Gone => Status is ProvisioningStatus.Deleting or ProvisioningStatus.Deleted;
    private DomainError NotHere() => Status == ProvisioningStatus.Deleted
        ? DomainError.NotFound($"Cluster '{Name}' was deleted.")
        : DomainError.Conflict($"Cluster '{Name}' is being deleted.");

    public NodePoolSpec? Pool(string name) => Blueprint.NodePools.FirstOrDefault(p => p.Name == name);

    /// <summary>What the management cluster reported: transitions become events, nothing else does.</summary>
    public Decision Observe(ProvisioningObservation seen, DateTimeOffset at)
    {
        if (Status == ProvisioningStatus.Deleted) return Decision.Nothing;
        if (!seen.Exists)
            return Status == ProvisioningStatus.Deleting ? Decision.Accept(new ClusterDeleted(Id, Name, at)) : Decision.Nothing;
        var events = new List<object>();
        foreach (var c in seen.Conditions)
        {
            var changed = !Conditions.TryGetValue(c.Type, out var known) || known.Status != c.Status || known.Reason != c.Reason || known.Message != c.Message;
            if (changed) events.Add(new ClusterConditionChanged(Id, Name, c.Type, c.Status, c.Reason, Clip(c.Message), at));
        }
        if (Status is ProvisioningStatus.Requested or ProvisioningStatus.Provisioning)
        {
            if (seen.IsTrue(Available))
                events.Add(new ClusterProvisioned(Id, Name, seen.ControlPlane?.Version ?? Version, at));
            else if (seen.Failure is { } failure)
                events.Add(new ClusterProvisioningFailed(Id, Name, failure.Reason, Clip(failure.Message) ?? "", at));
        }
        else if (Status == ProvisioningStatus.Failed && seen.IsTrue(Available))
            events.Add(new ClusterProvisioned(Id, Name, seen.ControlPlane?.Version ?? Version, at));
        if (Upgrade is { Remaining: [var step, ..] } upgrade && !Gone)
            events.AddRange(ObserveUpgrade(upgrade, step, seen, at));
        return events.Count == 0 ? Decision.Nothing : Decision.Accept([.. events]);
    }

    private IEnumerable<object> ObserveUpgrade(UpgradeProgress upgrade, string step, ProvisioningObservation seen, DateTimeOffset at)
    {
        var part = step == UpgradeStep.ControlPlane ? seen.ControlPlane : seen.Pools.GetValueOrDefault(step);
        if (part is null) yield break;
        if (part.Failure is { } failure)
        {
            yield return new ClusterUpgradeFailed(Id, Name, step, upgrade.To, failure.Reason, Clip(failure.Message) ?? "", at);
            yield break;
        }
        if (part.Version != upgrade.To || !part.UpToDate) yield break;
        yield return new ClusterUpgradeStepCompleted(Id, Name, step, upgrade.To, at);
        if (upgrade.Remaining.Count > 1)
            yield return new ClusterUpgradeStepStarted(Id, Name, upgrade.Remaining[1], upgrade.To, at);
        else
            yield return new ClusterUpgraded(Id, Name, upgrade.From, upgrade.To, at);
    }

    public Decision RecordRegistration(Guid clusterId, DateTimeOffset at) =>
        RegisteredClusterId is not null || Gone ? Decision.Nothing : Decision.Accept(new ProvisionedClusterRegistered(Id, Name, clusterId, at));

    public Decision RecordApply(IReadOnlyList<string> objects, string? error, DateTimeOffset at) =>
        Status == ProvisioningStatus.Deleted ? Decision.Nothing
        : error is null ? Decision.Accept(new ClusterObjectsApplied(Id, Name, objects, at))
        : Decision.Accept(new ClusterObjectsApplyFailed(Id, Name, Clip(error)!, at));

    /// <summary>
    /// One minor version at a time, never down; the control plane first, then each pool in order (a topology
    /// cluster's class rolls its pools itself, so its pools are still followed one by one).
    /// </summary>
    public Decision RequestUpgrade(string version, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Status != ProvisioningStatus.Provisioned) return DomainError.Conflict($"Cluster '{Name}' is not provisioned yet.", "version");
        if (Upgrade is not null) return DomainError.Conflict($"Cluster '{Name}' is already being upgraded to {Upgrade.To}.", "version");
        if (!KubernetesVersion.TryParse(version, out var to)) return DomainError.Invalid($"The version is {KubernetesVersion.Rule}.", "version");
        KubernetesVersion.TryParse(Version, out var from);
        if (KubernetesVersion.CheckUpgrade(from, to) is { } refused) return refused;
        var steps = new List<string> { UpgradeStep.ControlPlane };
        steps.AddRange(Blueprint.NodePools.Select(p => p.Name));
        return Decision.Accept(
            new ClusterUpgradeRequested(Id, Name, from.ToString(), to.ToString(), steps, by, at, RemovalReason.Optional(reason)),
            new ClusterUpgradeStepStarted(Id, Name, UpgradeStep.ControlPlane, to.ToString(), at));
    }

    public Decision ScalePool(string pool, int replicas, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Pool(pool) is not { } current) return DomainError.NotFound($"Cluster '{Name}' has no node pool '{pool}'.");
        if (replicas is < 0 or > NodePoolSpec.MaxReplicas) return DomainError.Invalid($"Between 0 and {NodePoolSpec.MaxReplicas} nodes.", "replicas");
        if (current.MinSize is { } min && current.MaxSize is { } max && (replicas < min || replicas > max))
            return DomainError.Invalid($"The autoscaler keeps '{pool}' between {min} and {max} nodes; change its bounds first.", "replicas");
        return replicas == current.Replicas ? Decision.Nothing
            : Decision.Accept(new NodePoolScaled(Id, Name, pool, current.Replicas, replicas, by, at, RemovalReason.Optional(reason)));
    }

    public Decision SetAutoscaling(string pool, int? min, int? max, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Pool(pool) is not { } current) return DomainError.NotFound($"Cluster '{Name}' has no node pool '{pool}'.");
        var changed = current with { MinSize = min, MaxSize = max, Replicas = Clamp(current.Replicas, min, max) };
        if (CheckPools(Blueprint.NodePools.Select(p => p.Name == pool ? changed : p).ToList()) is { } invalid) return invalid;
        if (current.MinSize == min && current.MaxSize == max) return Decision.Nothing;
        return Decision.Accept(new NodePoolAutoscalingChanged(Id, Name, pool, min, max, current.MinSize, current.MaxSize, by, at, RemovalReason.Optional(reason)));
    }

    public Decision AddPool(NodePoolSpec pool, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Upgrade is not null) return DomainError.Conflict($"Cluster '{Name}' is being upgraded; add the pool when the upgrade is done.");
        if (Pool(pool.Name) is not null) return DomainError.Conflict($"Cluster '{Name}' has a node pool '{pool.Name}' already.", "name");
        var added = pool with { Version = null };
        if (CheckPools([.. Blueprint.NodePools, added]) is { } invalid) return invalid;
        return Decision.Accept(new NodePoolAdded(Id, Name, added, by, at, RemovalReason.Optional(reason)));
    }

    public Decision RemovePool(string pool, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Pool(pool) is null) return DomainError.NotFound($"Cluster '{Name}' has no node pool '{pool}'.");
        if (Upgrade is not null) return DomainError.Conflict($"Cluster '{Name}' is being upgraded; remove the pool when the upgrade is done.");
        var info = InfrastructureCatalog.Get(Blueprint.Infrastructure);
        if (info.ManagedControlPlane && Blueprint.NodePools.Count == 1)
            return DomainError.Invalid($"{info.DisplayName} needs at least one node pool to run workloads.", "pool");
        return Decision.Accept(new NodePoolRemoved(Id, Name, pool, by, at, RemovalReason.Optional(reason)));
    }

    /// <summary>Deleting a cluster destroys its machines: the caller types the cluster's name to confirm.</summary>
    public Decision RequestDeletion(string? confirmation, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return Status == ProvisioningStatus.Deleting ? Decision.Nothing : NotHere();
        if (confirmation != Name) return DomainError.Invalid($"Type the cluster's name, '{Name}', to confirm.", "confirm");
        return Decision.Accept(new ClusterDeletionRequested(Id, Name, by, at, RemovalReason.Optional(reason)));
    }

    private DomainError? CheckPools(IReadOnlyList<NodePoolSpec> pools) =>
        (Blueprint with { NodePools = pools }).Check().FirstOrDefault(p => p.Field?.StartsWith("nodePools", StringComparison.Ordinal) == true) is { } e
            ? e with { Field = e.Field![(e.Field!.IndexOf('.') is var dot and > 0 ? dot + 1 : 0)..] }
            : null;

    /// <summary>The size kept within new bounds; bounds the wrong way round are left for the check to refuse (Math.Clamp would throw).</summary>
    private static int Clamp(int replicas, int? min, int? max) =>
        min is { } lo && max is { } hi && lo <= hi ? Math.Clamp(replicas, lo, hi) : replicas;

    private static string? Clip(string? message) => message is { Length: > 1000 } ? message[..1000] + "…" : message;

    public static ProvisionedCluster Create(ClusterProvisionRequested e) =>
        new(e.ProvisionId, e.ManagementClusterId, e.Blueprint.Name, e.Blueprint, ProvisioningStatus.Requested,
            ImmutableDictionary<string, ConditionState>.Empty, null, e.Blueprint.KubernetesVersion, null);

    public ProvisionedCluster Apply(ClusterObjectsApplied _) => Status == ProvisioningStatus.Requested ? this with { Status = ProvisioningStatus.Provisioning } : this;
    public ProvisionedCluster Apply(ClusterObjectsApplyFailed _) => this;
    public ProvisionedCluster Apply(ClusterConditionChanged e) => this with { Conditions = Conditions.SetItem(e.Condition, new ConditionState(e.Status, e.Reason, e.Message)) };
    public ProvisionedCluster Apply(ClusterProvisioned e) => this with { Status = ProvisioningStatus.Provisioned, Version = e.KubernetesVersion };
    public ProvisionedCluster Apply(ClusterProvisioningFailed _) => this with { Status = ProvisioningStatus.Failed };
    public ProvisionedCluster Apply(ProvisionedClusterRegistered e) => this with { RegisteredClusterId = e.ClusterId };

    public ProvisionedCluster Apply(ClusterUpgradeRequested e) =>
        this with { Upgrade = new UpgradeProgress(e.From, e.To, [.. e.Steps]) };

    public ProvisionedCluster Apply(ClusterUpgradeStepStarted e) => e.Step == UpgradeStep.ControlPlane
        ? this with { Blueprint = Blueprint with { KubernetesVersion = e.To, NodePools = [.. Blueprint.NodePools.Select(p => p with { Version = p.Version ?? Version })] } }
        : WithPool(e.Step, p => p with { Version = e.To });

    public ProvisionedCluster Apply(ClusterUpgradeStepCompleted e) =>
        Upgrade is null ? this : this with { Upgrade = Upgrade with { Remaining = Upgrade.Remaining.Remove(e.Step) } };

    public ProvisionedCluster Apply(ClusterUpgraded e) => this with
    {
        Upgrade = null, Version = e.To,
        Blueprint = Blueprint with { NodePools = [.. Blueprint.NodePools.Select(p => p with { Version = null })] },
    };

    public ProvisionedCluster Apply(ClusterUpgradeFailed _) => this with { Upgrade = null };
    public ProvisionedCluster Apply(NodePoolScaled e) => WithPool(e.Pool, p => p with { Replicas = e.To });

    public ProvisionedCluster Apply(NodePoolAutoscalingChanged e) => WithPool(e.Pool, p => p with
    {
        MinSize = e.MinSize, MaxSize = e.MaxSize,
        Replicas = Clamp(p.Replicas, e.MinSize, e.MaxSize),
    });

    public ProvisionedCluster Apply(NodePoolAdded e) => this with { Blueprint = Blueprint with { NodePools = [.. Blueprint.NodePools, e.Pool] } };
    public ProvisionedCluster Apply(NodePoolRemoved e) => this with { Blueprint = Blueprint with { NodePools = [.. Blueprint.NodePools.Where(p => p.Name != e.Pool)] } };
    public ProvisionedCluster Apply(ClusterDeletionRequested _) => this with { Status = ProvisioningStatus.Deleting, Upgrade = null };
    public ProvisionedCluster Apply(ClusterDeleted _) => this with { Status = ProvisioningStatus.Deleted };

    private ProvisionedCluster WithPool(string name, Func<NodePoolSpec, NodePoolSpec> change) =>
        this with { Blueprint = Blueprint with { NodePools = [.. Blueprint.NodePools.Select(p => p.Name == name ? change(p) : p)] } };
}
