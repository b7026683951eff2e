using System.Text.Json.Nodes;
using Cocktail.Application.Addons;
using Cocktail.Application.Audit.Describing;
using Cocktail.Application.Charts;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Releases.Listing;

/// <summary>The addon catalog for one cluster: every addon, whether the cluster's version is supported, and its release if installed.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record ListClusterAddons(Guid ClusterId) : IRequest<ClusterAddons>;

public sealed record AddonEntry(
    string Key, string DisplayName, string Category, string Description, string Chart, string RepositoryUrl, ChartRepositoryKind RepositoryKind,
    string ReleaseName, string Namespace, string RecommendedVersion, string DefaultValues, string? MinKubernetes, string? MaxKubernetes,
    bool Supported, ChartReleaseView? Release);

public sealed record ClusterAddons(Guid ClusterId, string ClusterName, string KubernetesVersion, IReadOnlyList<AddonEntry> Addons);

/// <summary>A workspace's releases (uninstalled ones last), for its members.</summary>
public sealed record ListWorkspaceReleases(Guid WorkspaceId) : IRequest<IReadOnlyList<ChartReleaseView>>;

/// <summary>A release with its values as YAML and its history: every change with the values before and after, and what Flux reported.</summary>
public sealed record GetRelease(Guid ReleaseId) : IRequest<ReleaseDetails>;

public sealed record ReleaseHistoryEntry(
    long Sequence, string Event, string Summary, DateTimeOffset At, int? Revision, string? ChartVersion, string? ValuesBefore, string? ValuesAfter);

/// <summary>The revisions a rollback may go back to (the current one excluded by the domain), newest first.</summary>
public sealed record ReleaseRevisionInfo(int Revision, string Version, string Change, DateTimeOffset At, string Values);

public sealed record ReleaseDetails(ChartReleaseView Release, string Values, IReadOnlyList<ReleaseRevisionInfo> Revisions, IReadOnlyList<ReleaseHistoryEntry> History);

public static class ListClusterAddonsHandler
{
    public static async Task<Result<ClusterAddons>> Handle(ListClusterAddons query, IQuerySession session, AddonCatalog catalog, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var releases = await session.Query<ChartReleaseView>().Where(r => r.ClusterId == query.ClusterId && r.Addon != null).ToListAsync(ct);
        var entries = catalog.All.Select(a =>
        {
            var d = a.Definition;
            var release = releases.Where(r => r.Addon == a.Key).OrderBy(r => r.Status == ChartReleaseStatus.Uninstalled).FirstOrDefault();
            return new AddonEntry(d.Key, d.DisplayName, d.Category, d.Description, d.Chart, a.RepositoryUrl, a.Kind, d.ReleaseName, d.Namespace,
                d.RecommendedVersion, d.DefaultValuesYaml, d.MinKubernetes, d.MaxKubernetes, a.Supports(cluster.KubernetesVersion), release);
        }).ToList();
        return new ClusterAddons(cluster.Id, cluster.Name, cluster.KubernetesVersion, entries);
    }
}

public static class ListWorkspaceReleasesHandler
{
    public static async Task<Result<IReadOnlyList<ChartReleaseView>>> Handle(ListWorkspaceReleases query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        var releases = await session.Query<ChartReleaseView>().Where(r => r.WorkspaceId == query.WorkspaceId).Take(1000).ToListAsync(ct);
        return releases.OrderBy(r => r.Status == ChartReleaseStatus.Uninstalled).ThenBy(r => r.ServiceMapName).ThenBy(r => r.Name).ToList();
    }
}

public static class GetReleaseHandler
{
    public const int MaxHistory = 500;

    public static async Task<Result<ReleaseDetails>> Handle(GetRelease query, Actor actor, IQuerySession session, IChartValues values, CancellationToken ct)
    {
        var view = await ReleaseAccess.LoadAsync(session, actor, query.ReleaseId, change: false, ct);
        if (view.Failure is { } denied) return denied;
        var events = await session.Events.FetchStreamAsync(query.ReleaseId, token: ct);
        var history = new List<ReleaseHistoryEntry>();
        var revisions = new List<ReleaseRevisionInfo>();
        foreach (var e in events.TakeLast(MaxHistory))
        {
            var summary = AuditDescriptions.Describe(e.Data, AuditNames.None)?.Summary ?? e.EventTypeName;
            history.Add(e.Data switch
            {
                ChartReleaseInstallRequested x => Entry(e.Sequence, "install", summary, x.RequestedAt, x.Revision, x.Version, null, x.Values),
                ChartReleaseValuesChanged x => Entry(e.Sequence, "values", summary, x.ChangedAt, x.Revision, x.Version, x.Before, x.After),
                ChartReleaseUpgradeRequested x => Entry(e.Sequence, "upgrade", summary, x.RequestedAt, x.Revision, x.To, x.Before, x.After),
                ChartReleaseRollbackRequested x => Entry(e.Sequence, "rollback", summary, x.RequestedAt, x.Revision, x.To, x.Before, x.After),
                ChartReleaseUninstallRequested x => Entry(e.Sequence, "uninstall", summary, x.RequestedAt, null, x.Version, x.Before, null),
                ChartReleaseApplied x => Entry(e.Sequence, "applied", summary, x.AppliedAt, x.Revision, null, null, null),
                ChartReleaseApplyFailed x => Entry(e.Sequence, "apply-failed", summary, x.FailedAt, x.Revision, null, null, null),
                ChartReleaseDeployed x => Entry(e.Sequence, "deployed", summary, x.DeployedAt, null, x.ChartVersion, null, null),
                ChartReleaseFailed x => Entry(e.Sequence, "failed", summary, x.FailedAt, null, null, null, null),
                ChartReleaseRemediated x => Entry(e.Sequence, "remediated", summary, x.RemediatedAt, null, null, null, null),
                ChartReleaseUninstalled x => Entry(e.Sequence, "uninstalled", summary, x.UninstalledAt, null, null, null, null),
                _ => Entry(e.Sequence, e.EventTypeName, summary, e.Timestamp, null, null, null, null),
            });
            (int Revision, string Version, string Change, DateTimeOffset At, JsonObject Values)? revision = e.Data switch
            {
                ChartReleaseInstallRequested x => (x.Revision, x.Version, "install", x.RequestedAt, x.Values),
                ChartReleaseValuesChanged x => (x.Revision, x.Version, "values", x.ChangedAt, x.After),
                ChartReleaseUpgradeRequested x => (x.Revision, x.To, "upgrade", x.RequestedAt, x.After),
                ChartReleaseRollbackRequested x => (x.Revision, x.To, $"rollback to {x.ToRevision}", x.RequestedAt, x.After),
                _ => null,
            };
            if (revision is { } r) revisions.Add(new ReleaseRevisionInfo(r.Revision, r.Version, r.Change, r.At, values.ToYaml(r.Values)));
        }
        history.Reverse();
        revisions.Reverse();
        return new ReleaseDetails(view.Value!, values.ToYaml(view.Value!.Values), revisions, history);

        ReleaseHistoryEntry Entry(long sequence, string kind, string summary, DateTimeOffset at, int? revision, string? version, JsonObject? before, JsonObject? after) =>
            new(sequence, kind, summary, at, revision, version, before is null ? null : values.ToYaml(before), after is null ? null : values.ToYaml(after));
    }
}
