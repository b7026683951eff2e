using Cocktail.Application.Addons;
using Cocktail.Application.Charts;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Fleet;

/// <summary>
/// Which clusters run an addon, and at which version ("which clusters run cert-manager below 1.15?"). The version
/// compared is the one Helm runs (as Flux last reported it), or the one asked for while nothing is deployed yet.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetAddonFleet(string Addon, string? Below = null) : IRequest<AddonFleet>;

public sealed record AddonFleetEntry(
    Guid ClusterId, string ClusterName, string KubernetesVersion, Guid ReleaseId, string Version, string? DeployedVersion, string? AppVersion,
    ChartReleaseStatus Status, string? Failure, DateTimeOffset UpdatedAt);

public sealed record AddonFleet(string Addon, string DisplayName, string RecommendedVersion, string? Below, IReadOnlyList<AddonFleetEntry> Clusters);

public sealed class GetAddonFleetValidator : AbstractValidator<GetAddonFleet>
{
    public GetAddonFleetValidator()
    {
        RuleFor(x => x.Addon).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Below).Must(b => b is null || ChartSemVer.TryParse(b, out _)).WithMessage("A version, such as 1.15.");
    }
}

/// <summary>
/// Upgrades the addon on every cluster that runs it below <paramref name="Below"/> (all of them when not given), or on
/// the clusters named, to <paramref name="Version"/>, each with its own values (checked against the new version's
/// schema). Answers which releases were asked to upgrade and which were skipped and why.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes]
public sealed record UpgradeAddonFleet(string Addon, string Version, string? Below = null, IReadOnlyList<Guid>? ClusterIds = null, string? Reason = null)
    : IRequest<FleetUpgradeResult>;

public sealed record FleetUpgradeSkipped(Guid ClusterId, string ClusterName, string Reason);

public sealed record FleetUpgradeResult(string Addon, string Version, IReadOnlyList<Accepted> Upgrades, IReadOnlyList<FleetUpgradeSkipped> Skipped);

public sealed class UpgradeAddonFleetValidator : AbstractValidator<UpgradeAddonFleet>
{
    public UpgradeAddonFleetValidator()
    {
        RuleFor(x => x.Addon).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Version).NotEmpty().WithMessage("Choose the chart version to upgrade to.")
            .Must(v => ChartSemVer.TryParse(v, out _)).WithMessage("Chart versions are SemVer, such as 1.15.3.");
        RuleFor(x => x.Below).Must(b => b is null || ChartSemVer.TryParse(b, out _)).WithMessage("A version, such as 1.15.");
        RuleFor(x => x.ClusterIds).Must(c => c is null || c.Count <= 5000);
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class AddonFleetQueries
{
    public static async Task<(Addon? Addon, List<ChartReleaseView> Releases, Dictionary<Guid, ClusterView> Clusters)> LoadAsync(
        IQuerySession session, AddonCatalog catalog, string key, string? below, CancellationToken ct)
    {
        if (catalog.Find(key.Trim()) is not { } addon) return (null, [], []);
        List<ChartReleaseView> releases = [.. await session.Query<ChartReleaseView>()
            .Where(r => r.Addon == addon.Key && r.Status != ChartReleaseStatus.Uninstalled).Take(10_000).ToListAsync(ct)];
        if (below is not null) releases = [.. releases.Where(r => ChartSemVer.Compare(r.DeployedVersion ?? r.Version, below) < 0)];
        var ids = releases.Select(r => r.ClusterId).Distinct().ToArray();
        var clusters = (await session.LoadManyAsync<ClusterView>(ct, ids)).ToDictionary(c => c.Id);
        return (addon, releases, clusters);
    }
}

public static class GetAddonFleetHandler
{
    public static async Task<Result<AddonFleet>> Handle(GetAddonFleet query, IQuerySession session, AddonCatalog catalog, CancellationToken ct)
    {
        var (addon, releases, clusters) = await AddonFleetQueries.LoadAsync(session, catalog, query.Addon, query.Below, ct);
        if (addon is null) return Failure.NotFound($"There is no addon '{query.Addon}' in the catalog.");
        var entries = releases.Select(r => new AddonFleetEntry(r.ClusterId, r.ClusterName, clusters.GetValueOrDefault(r.ClusterId)?.KubernetesVersion ?? "",
                r.Id, r.Version, r.DeployedVersion, r.AppVersion, r.Status, r.Failure?.Message, r.UpdatedAt))
            .OrderBy(e => e.ClusterName, StringComparer.Ordinal).ToList();
        return new AddonFleet(addon.Key, addon.Definition.DisplayName, addon.Definition.RecommendedVersion, query.Below?.Trim(), entries);
    }
}

public static class UpgradeAddonFleetHandler
{
    public static async Task<Result<FleetUpgradeResult>> Handle(UpgradeAddonFleet command, Actor actor, IDocumentSession session, AddonCatalog catalog,
        IChartPackages packages, IChartValues values, TimeProvider clock, CancellationToken ct)
    {
        var (addon, releases, _) = await AddonFleetQueries.LoadAsync(session, catalog, command.Addon, command.Below, ct);
        if (addon is null) return Failure.NotFound($"There is no addon '{command.Addon}' in the catalog.");
        var version = command.Version.Trim();
        if (command.ClusterIds is { } only) releases = [.. releases.Where(r => only.Contains(r.ClusterId))];
        var upgrades = new List<Accepted>();
        var skipped = new List<FleetUpgradeSkipped>();
        var at = clock.GetUtcNow();
        foreach (var release in releases.OrderBy(r => r.ClusterName, StringComparer.Ordinal))
        {
            if (release.Status == ChartReleaseStatus.Uninstalling) { skipped.Add(new(release.ClusterId, release.ClusterName, "It is being uninstalled.")); continue; }
            if (ChartSemVer.Compare(version, release.Version) <= 0) { skipped.Add(new(release.ClusterId, release.ClusterName, $"It runs {release.Version} already.")); continue; }
            // The catalog's Kubernetes range describes the recommended version: a cluster outside it is not skipped, since a
            // newer chart is often what a newer Kubernetes needs (the Addons tab and fleet view show the range).
            // The package is read once (IChartPackages caches by digest); each release's own values are checked against it.
            var prepared = await ChartReleases.PrepareAsync(addon.Source with { RepositoryUrl = release.RepositoryUrl, Kind = release.RepositoryKind },
                version, null, release.Values, packages, values, ct);
            if (prepared.Failure is { } failure)
            {
                // An unknown version or an unreachable repository is the same for every cluster: refuse the whole request.
                if (failure.FieldErrors?.ContainsKey("version") == true || failure.Kind == FailureKind.Unavailable) return failure;
                skipped.Add(new(release.ClusterId, release.ClusterName, $"{failure.Message} {string.Join(" ", failure.FieldErrors?.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}")) ?? [])}".Trim()));
                continue;
            }
            var decided = await ChartReleases.DecideAsync(session, release.Id,
                r => r.Upgrade(version, prepared.Value!.Values, actor.Ref, at, ChartReleases.Reason(command.Reason)), ct);
            if (decided.Failure is { } refused) skipped.Add(new(release.ClusterId, release.ClusterName, refused.Message));
            else upgrades.Add(decided.Value!);
        }
        return new FleetUpgradeResult(addon.Key, version, upgrades, skipped);
    }
}
