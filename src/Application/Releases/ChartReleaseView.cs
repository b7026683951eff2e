using System.Text.Json.Nodes;
using Cocktail.Domain.Charts;

namespace Cocktail.Application.Releases;

/// <summary>The last failure or remediation Flux reported.</summary>
public sealed record ReleaseCondition(string Reason, string Message, DateTimeOffset At);

/// <summary>
/// A chart release as lists and pages show it (cluster addons, a workspace's releases, the fleet view); projected
/// inline from its stream, so a change shows at once. The values are the overrides given (no secret enters them:
/// charts reference Secrets by name).
/// </summary>
public sealed class ChartReleaseView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public string Namespace { get; set; } = "";
    /// <summary>The addon key for a cluster addon; null for a team release.</summary>
    public string? Addon { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? ServiceMapId { get; set; }
    public string? ServiceMapName { get; set; }
    public string RepositoryUrl { get; set; } = "";
    public ChartRepositoryKind RepositoryKind { get; set; }
    public string Chart { get; set; } = "";
    /// <summary>The chart version asked for (the latest revision's).</summary>
    public string Version { get; set; } = "";
    public JsonObject Values { get; set; } = [];
    public int Revision { get; set; }
    public ChartReleaseStatus Status { get; set; }
    public int? AppliedRevision { get; set; }
    public string? ApplyError { get; set; }
    /// <summary>What Helm runs now, as Flux last reported it.</summary>
    public string? DeployedVersion { get; set; }
    public string? AppVersion { get; set; }
    public int? HelmRevision { get; set; }
    public DateTimeOffset? DeployedAt { get; set; }
    public ReleaseCondition? Failure { get; set; }
    public ReleaseCondition? Remediation { get; set; }
    public string InstalledBy { get; set; } = "";
    public DateTimeOffset InstalledAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static ChartReleaseView Create(ChartReleaseInstallRequested e)
    {
        var view = new ChartReleaseView { Id = e.ReleaseId, Name = e.Name };
        view.Apply(e);
        return view;
    }

    public void Apply(ChartReleaseInstallRequested e)
    {
        ClusterId = e.Target.ClusterId; ClusterName = e.Target.ClusterName; Namespace = e.Target.Namespace; Addon = e.Target.Addon;
        WorkspaceId = e.Target.WorkspaceId; ServiceMapId = e.Target.ServiceMapId; ServiceMapName = e.Target.ServiceMapName;
        RepositoryUrl = e.Source.RepositoryUrl; RepositoryKind = e.Source.Kind; Chart = e.Source.Chart;
        Revised(e.Revision, e.Version, e.Values, e.RequestedAt);
        AppliedRevision = null; DeployedVersion = null; AppVersion = null; HelmRevision = null; DeployedAt = null; Remediation = null;
        InstalledBy = e.RequestedBy.Name; InstalledAt = e.RequestedAt;
    }

    public void Apply(ChartReleaseValuesChanged e) => Revised(e.Revision, e.Version, e.After, e.ChangedAt);
    public void Apply(ChartReleaseUpgradeRequested e) => Revised(e.Revision, e.To, e.After, e.RequestedAt);
    public void Apply(ChartReleaseRollbackRequested e) => Revised(e.Revision, e.To, e.After, e.RequestedAt);

    public void Apply(ChartReleaseUninstallRequested e)
    {
        Status = ChartReleaseStatus.Uninstalling;
        UpdatedAt = e.RequestedAt;
    }

    public void Apply(ChartReleaseApplied e)
    {
        AppliedRevision = e.Revision;
        ApplyError = null;
        UpdatedAt = e.AppliedAt;
    }

    public void Apply(ChartReleaseApplyFailed e)
    {
        ApplyError = e.Error;
        UpdatedAt = e.FailedAt;
    }

    public void Apply(ChartReleaseDeployed e)
    {
        DeployedVersion = e.ChartVersion; AppVersion = e.AppVersion; HelmRevision = e.HelmRevision; DeployedAt = e.DeployedAt;
        if (Status is not (ChartReleaseStatus.Uninstalling or ChartReleaseStatus.Uninstalled)) Status = ChartReleaseStatus.Deployed;
        Failure = null;
        UpdatedAt = e.DeployedAt;
    }

    public void Apply(ChartReleaseFailed e)
    {
        Failure = new ReleaseCondition(e.Reason, e.Message, e.FailedAt);
        if (Status is not (ChartReleaseStatus.Uninstalling or ChartReleaseStatus.Uninstalled)) Status = ChartReleaseStatus.Failed;
        UpdatedAt = e.FailedAt;
    }

    public void Apply(ChartReleaseRemediated e)
    {
        Remediation = new ReleaseCondition(e.Reason, e.Message, e.RemediatedAt);
        UpdatedAt = e.RemediatedAt;
    }

    public void Apply(ChartReleaseUninstalled e)
    {
        Status = ChartReleaseStatus.Uninstalled;
        AppliedRevision = null; DeployedVersion = null; AppVersion = null; HelmRevision = null;
        UpdatedAt = e.UninstalledAt;
    }

    private void Revised(int revision, string version, JsonObject values, DateTimeOffset at)
    {
        Revision = revision; Version = version; Values = values; Status = ChartReleaseStatus.Pending; Failure = null; ApplyError = null; UpdatedAt = at;
    }
}
