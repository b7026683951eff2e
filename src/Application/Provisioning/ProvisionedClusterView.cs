using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning;

/// <summary>A condition of the Cluster object, as Cluster API last reported it.</summary>
public sealed record ProvisionedClusterCondition(string Type, string Status, string? Reason, string? Message, DateTimeOffset ObservedAt);

/// <summary>An upgrade in progress: the step running now and the ones left (the current one first).</summary>
public sealed record ProvisionedClusterUpgrade(string From, string To, string? CurrentStep, IReadOnlyList<string> Remaining);

/// <summary>The last provisioning or upgrade failure the management cluster reported.</summary>
public sealed record ProvisioningFailureInfo(string Reason, string Message, DateTimeOffset At);

/// <summary>
/// A cluster created through Cluster API as its pages and lists show it; projected inline from its stream, so the
/// console sees a request at once. Holds no secret (the blueprint's settings name objects, they do not hold secrets).
/// </summary>
public sealed class ProvisionedClusterView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Namespace { get; set; } = "";
    public Guid ManagementClusterId { get; set; }
    public string ManagementClusterName { get; set; } = "";
    public Infrastructure Infrastructure { get; set; }
    /// <summary>The version the whole cluster runs (during an upgrade, the version it comes from).</summary>
    public string KubernetesVersion { get; set; } = "";
    public ProvisioningStatus Status { get; set; }
    public List<ProvisionedClusterCondition> Conditions { get; set; } = [];
    public List<NodePoolSpec> NodePools { get; set; } = [];
    public ControlPlaneSpec ControlPlane { get; set; } = new(1);
    public NetworkSpec Network { get; set; } = NetworkSpec.Default;
    public Dictionary<string, string> Settings { get; set; } = [];
    public string? ClusterClass { get; set; }
    public ProvisionedClusterUpgrade? Upgrade { get; set; }
    public ProvisioningFailureInfo? LastFailure { get; set; }
    public Guid? RegisteredClusterId { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? LastAppliedAt { get; set; }
    public string? LastApplyError { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public long Version { get; set; }

    public static ProvisionedClusterView Create(ClusterProvisionRequested e) => new()
    {
        Id = e.ProvisionId, Name = e.Blueprint.Name, Namespace = e.Blueprint.Namespace, ManagementClusterId = e.ManagementClusterId,
        ManagementClusterName = e.ManagementClusterName, Infrastructure = e.Blueprint.Infrastructure,
        KubernetesVersion = e.Blueprint.KubernetesVersion, Status = ProvisioningStatus.Requested, NodePools = [.. e.Blueprint.NodePools],
        ControlPlane = e.Blueprint.ControlPlane, Network = e.Blueprint.Network, Settings = new(e.Blueprint.Settings),
        ClusterClass = e.Blueprint.ClusterClass, RequestedBy = e.RequestedBy.Name, RequestedAt = e.RequestedAt, UpdatedAt = e.RequestedAt,
    };

    public void Apply(ClusterObjectsApplied e)
    {
        if (Status == ProvisioningStatus.Requested) Status = ProvisioningStatus.Provisioning;
        LastAppliedAt = e.AppliedAt;
        LastApplyError = null;
        UpdatedAt = e.AppliedAt;
    }

    public void Apply(ClusterObjectsApplyFailed e)
    {
        LastApplyError = e.Error;
        UpdatedAt = e.FailedAt;
    }

    public void Apply(ClusterConditionChanged e)
    {
        Conditions.RemoveAll(c => c.Type == e.Condition);
        Conditions.Add(new ProvisionedClusterCondition(e.Condition, e.Status, e.Reason, e.Message, e.ObservedAt));
        Conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
        UpdatedAt = e.ObservedAt;
    }

    public void Apply(ClusterProvisioned e)
    {
        Status = ProvisioningStatus.Provisioned;
        KubernetesVersion = e.KubernetesVersion;
        LastFailure = null;
        UpdatedAt = e.ProvisionedAt;
    }

    public void Apply(ClusterProvisioningFailed e)
    {
        Status = ProvisioningStatus.Failed;
        LastFailure = new ProvisioningFailureInfo(e.Reason, e.Message, e.FailedAt);
        UpdatedAt = e.FailedAt;
    }

    public void Apply(ProvisionedClusterRegistered e)
    {
        RegisteredClusterId = e.ClusterId;
        UpdatedAt = e.RegisteredAt;
    }

    public void Apply(ClusterUpgradeRequested e)
    {
        Upgrade = new ProvisionedClusterUpgrade(e.From, e.To, e.Steps.FirstOrDefault(), [.. e.Steps]);
        UpdatedAt = e.RequestedAt;
    }

    /// <summary>The control plane's step leaves every pool on the version it runs; a pool's step moves that pool.</summary>
    public void Apply(ClusterUpgradeStepStarted e)
    {
        if (e.Step == UpgradeStep.ControlPlane)
            NodePools = [.. NodePools.Select(p => p with { Version = p.Version ?? KubernetesVersion })];
        else
            NodePools = [.. NodePools.Select(p => p.Name == e.Step ? p with { Version = e.To } : p)];
        if (Upgrade is not null) Upgrade = Upgrade with { CurrentStep = e.Step };
        UpdatedAt = e.StartedAt;
    }

    public void Apply(ClusterUpgradeStepCompleted e)
    {
        if (Upgrade is not null)
        {
            var remaining = Upgrade.Remaining.Where(s => s != e.Step).ToList();
            Upgrade = Upgrade with { Remaining = remaining, CurrentStep = remaining.FirstOrDefault() };
        }
        UpdatedAt = e.CompletedAt;
    }

    public void Apply(ClusterUpgraded e)
    {
        Upgrade = null;
        KubernetesVersion = e.To;
        NodePools = [.. NodePools.Select(p => p with { Version = null })];
        UpdatedAt = e.UpgradedAt;
    }

    public void Apply(ClusterUpgradeFailed e)
    {
        Upgrade = null;
        LastFailure = new ProvisioningFailureInfo(e.Reason, $"{e.Step}: {e.Message}", e.FailedAt);
        UpdatedAt = e.FailedAt;
    }

    public void Apply(NodePoolScaled e)
    {
        NodePools = [.. NodePools.Select(p => p.Name == e.Pool ? p with { Replicas = e.To } : p)];
        UpdatedAt = e.ScaledAt;
    }

    public void Apply(NodePoolAutoscalingChanged e)
    {
        NodePools = [.. NodePools.Select(p => p.Name != e.Pool ? p : p with
        {
            MinSize = e.MinSize, MaxSize = e.MaxSize,
            Replicas = e.MinSize is { } lo && e.MaxSize is { } hi && lo <= hi ? Math.Clamp(p.Replicas, lo, hi) : p.Replicas,
        })];
        UpdatedAt = e.ChangedAt;
    }

    public void Apply(NodePoolAdded e)
    {
        NodePools = [.. NodePools, e.Pool];
        UpdatedAt = e.AddedAt;
    }

    public void Apply(NodePoolRemoved e)
    {
        NodePools = [.. NodePools.Where(p => p.Name != e.Pool)];
        UpdatedAt = e.RemovedAt;
    }

    public void Apply(ClusterDeletionRequested e)
    {
        Status = ProvisioningStatus.Deleting;
        Upgrade = null;
        UpdatedAt = e.RequestedAt;
    }

    /// <summary>Kept (status Deleted) so the list can say what happened; its name may be used again.</summary>
    public void Apply(ClusterDeleted e)
    {
        Status = ProvisioningStatus.Deleted;
        UpdatedAt = e.DeletedAt;
    }
}
