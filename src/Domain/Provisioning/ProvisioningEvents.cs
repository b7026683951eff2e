using Cocktail.Domain.Common;

namespace Cocktail.Domain.Provisioning;

// A provisioned cluster's stream (id = the provision id) tells what was asked of Cluster API on the management
// cluster, by whom and why, and every transition Cocktail observed on its objects. Credentials never enter it: the
// blueprint's settings name objects on the management cluster (identity secrets), they do not hold secrets.

public sealed record ClusterProvisionRequested(
    Guid ProvisionId, Guid ManagementClusterId, string ManagementClusterName, ClusterBlueprint Blueprint,
    ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

/// <summary>Cocktail applied the cluster's objects (server-side apply) on the management cluster.</summary>
public sealed record ClusterObjectsApplied(Guid ProvisionId, string Name, IReadOnlyList<string> Objects, DateTimeOffset AppliedAt);

/// <summary>An apply the management cluster refused or could not be reached for; retried until it succeeds or the request is withdrawn.</summary>
public sealed record ClusterObjectsApplyFailed(Guid ProvisionId, string Name, string Error, DateTimeOffset FailedAt);

/// <summary>A condition on the Cluster object changed (status, reason or message), as Cluster API reported it.</summary>
public sealed record ClusterConditionChanged(
    Guid ProvisionId, string Name, string Condition, string Status, string? Reason, string? Message, DateTimeOffset ObservedAt);

public sealed record ClusterProvisioned(Guid ProvisionId, string Name, string KubernetesVersion, DateTimeOffset ProvisionedAt);

public sealed record ClusterProvisioningFailed(Guid ProvisionId, string Name, string Reason, string Message, DateTimeOffset FailedAt);

/// <summary>The new cluster's kubeconfig appeared and Cocktail registered it (a ClusterRegistered on the cluster's own stream).</summary>
public sealed record ProvisionedClusterRegistered(Guid ProvisionId, string Name, Guid ClusterId, DateTimeOffset RegisteredAt);

public sealed record ClusterUpgradeRequested(
    Guid ProvisionId, string Name, string From, string To, IReadOnlyList<string> Steps, ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

/// <summary>One part of an upgrade started: <see cref="UpgradeStep.ControlPlane"/> or a node pool's name.</summary>
public sealed record ClusterUpgradeStepStarted(Guid ProvisionId, string Name, string Step, string To, DateTimeOffset StartedAt);

public sealed record ClusterUpgradeStepCompleted(Guid ProvisionId, string Name, string Step, string To, DateTimeOffset CompletedAt);

public sealed record ClusterUpgraded(Guid ProvisionId, string Name, string From, string To, DateTimeOffset UpgradedAt);

/// <summary>A step failed; the upgrade stops there (the parts after it stay on their version).</summary>
public sealed record ClusterUpgradeFailed(Guid ProvisionId, string Name, string Step, string To, string Reason, string Message, DateTimeOffset FailedAt);

public sealed record NodePoolScaled(
    Guid ProvisionId, string Name, string Pool, int From, int To, ActorRef ScaledBy, DateTimeOffset ScaledAt, string? Reason = null);

public sealed record NodePoolAutoscalingChanged(
    Guid ProvisionId, string Name, string Pool, int? MinSize, int? MaxSize, int? PreviousMinSize, int? PreviousMaxSize,
    ActorRef ChangedBy, DateTimeOffset ChangedAt, string? Reason = null);

public sealed record NodePoolAdded(Guid ProvisionId, string Name, NodePoolSpec Pool, ActorRef AddedBy, DateTimeOffset AddedAt, string? Reason = null);

public sealed record NodePoolRemoved(Guid ProvisionId, string Name, string Pool, ActorRef RemovedBy, DateTimeOffset RemovedAt, string? Reason = null);

public sealed record ClusterDeletionRequested(Guid ProvisionId, string Name, ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

/// <summary>The Cluster object is gone from the management cluster; the registered cluster, if any, is unregistered.</summary>
public sealed record ClusterDeleted(Guid ProvisionId, string Name, DateTimeOffset DeletedAt);

/// <summary>A registered cluster became a Cluster API management cluster: Cocktail may create clusters through it.</summary>
public sealed record ClusterApiManagementEnabled(
    Guid ClusterId, string Name, IReadOnlyList<Infrastructure> Infrastructures, bool ClusterClasses, ActorRef EnabledBy, DateTimeOffset EnabledAt);

public sealed record ClusterApiManagementDisabled(Guid ClusterId, string Name, ActorRef DisabledBy, DateTimeOffset DisabledAt, string? Reason = null);

public static class UpgradeStep
{
    public const string ControlPlane = "control plane";
}
