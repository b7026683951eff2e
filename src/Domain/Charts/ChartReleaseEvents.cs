using System.Text.Json.Nodes;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Charts;

// A chart release's stream (one per Helm release on a cluster: its id derives from the cluster, namespace and
// release name, see ChartRelease.IdFor) tells every change asked of it with the whole values before and after, who
// asked and why, whether Cocktail could write the Flux objects, and what Flux's helm-controller reported. Values are
// the overrides given to the chart (the HelmRelease's spec.values), never the chart's defaults, and never secrets'
// contents: a chart that needs a secret references a Secret by name.

/// <summary>Where a release is installed: a cluster addon (platform admins) or a workspace's service map (its namespace).</summary>
public sealed record ChartReleaseTarget(
    Guid ClusterId, string ClusterName, string Namespace, string? Addon = null,
    Guid? WorkspaceId = null, Guid? ServiceMapId = null, string? ServiceMapName = null)
{
    public bool IsAddon => Addon is not null;
}

/// <summary>The repository a chart comes from (an HTTP(S) URL with an index.yaml, or an oci:// URL) and the chart's name.</summary>
public sealed record ChartSource(string RepositoryUrl, ChartRepositoryKind Kind, string Chart);

public sealed record ChartReleaseInstallRequested(
    Guid ReleaseId, string Name, ChartReleaseTarget Target, ChartSource Source, string Version, JsonObject Values,
    int Revision, ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

public sealed record ChartReleaseValuesChanged(
    Guid ReleaseId, string Name, string ClusterName, int Revision, string Version, JsonObject Before, JsonObject After,
    ActorRef ChangedBy, DateTimeOffset ChangedAt, string? Reason = null);

/// <summary>A move to another chart version, with the values it is installed with (changed or not).</summary>
public sealed record ChartReleaseUpgradeRequested(
    Guid ReleaseId, string Name, string ClusterName, int Revision, string From, string To, JsonObject Before, JsonObject After,
    ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

/// <summary>An earlier Cocktail revision's chart version and values applied again, as a new revision.</summary>
public sealed record ChartReleaseRollbackRequested(
    Guid ReleaseId, string Name, string ClusterName, int Revision, int ToRevision, string From, string To,
    JsonObject Before, JsonObject After, ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

public sealed record ChartReleaseUninstallRequested(
    Guid ReleaseId, string Name, string ClusterName, string Version, JsonObject Before,
    ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Reason = null);

/// <summary>Cocktail wrote the release's Flux objects (server-side apply) for this revision.</summary>
public sealed record ChartReleaseApplied(Guid ReleaseId, string Name, string ClusterName, int Revision, DateTimeOffset AppliedAt);

/// <summary>The cluster refused the Flux objects or could not be reached; retried until it succeeds.</summary>
public sealed record ChartReleaseApplyFailed(Guid ReleaseId, string Name, string ClusterName, int Revision, string Error, DateTimeOffset FailedAt);

/// <summary>Helm (through Flux) deployed a release revision: its Helm revision number, chart version and app version.</summary>
public sealed record ChartReleaseDeployed(
    Guid ReleaseId, string Name, string ClusterName, int HelmRevision, string ChartVersion, string? AppVersion, DateTimeOffset DeployedAt);

/// <summary>Flux reported the release failed (the HelmRelease's Ready condition False with a failure reason).</summary>
public sealed record ChartReleaseFailed(Guid ReleaseId, string Name, string ClusterName, string Reason, string Message, DateTimeOffset FailedAt);

/// <summary>Flux remediated a failed install or upgrade (rolled back or uninstalled, per the remediation strategy).</summary>
public sealed record ChartReleaseRemediated(Guid ReleaseId, string Name, string ClusterName, string Reason, string Message, DateTimeOffset RemediatedAt);

/// <summary>The HelmRelease is gone from the cluster after an uninstall was asked (Flux uninstalled the Helm release).</summary>
public sealed record ChartReleaseUninstalled(Guid ReleaseId, string Name, string ClusterName, DateTimeOffset UninstalledAt);

/// <summary>
/// A platform admin installed Flux on a cluster from an install manifest (uploaded, or downloaded from the URL named),
/// every document applied with server-side apply. Appended to the registered cluster's stream.
/// </summary>
public sealed record FluxInstalled(
    Guid ClusterId, string ClusterName, int Objects, string Source, string Digest, ActorRef InstalledBy, DateTimeOffset InstalledAt, string? Reason = null);
