using Cocktail.Application.Addons;
using Cocktail.Application.Charts;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Installing;

/// <summary>
/// Installs a catalog addon on a cluster, as the catalog names its release and namespace. Without a version: the
/// recommended one; without values: the catalog's defaults. The values are checked against the chart's schema before
/// anything is recorded; the reconciler writes the Flux objects once the install is committed.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record InstallAddon(Guid ClusterId, string Addon, string? Version = null, string? Values = null, string? Reason = null) : IRequest<Accepted>;

public sealed class InstallAddonValidator : AbstractValidator<InstallAddon>
{
    public InstallAddonValidator()
    {
        RuleFor(x => x.Addon).NotEmpty().WithMessage("Choose the addon.").MaximumLength(63);
        RuleFor(x => x.Version).MaximumLength(ChartSemVer.MaxLength);
        RuleFor(x => x.Values).MaximumLength(ChartReleases.MaxValuesYaml).WithMessage("Values are at most 256 KiB of YAML.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class InstallAddonHandler
{
    public static async Task<Result<Accepted>> Handle(InstallAddon command, Actor actor, IDocumentSession session, AddonCatalog catalog,
        IChartPackages packages, IChartValues values, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        if (catalog.Find(command.Addon.Trim()) is not { } addon) return Failure.Invalid($"There is no addon '{command.Addon}' in the catalog.", "addon");
        var version = string.IsNullOrWhiteSpace(command.Version) ? addon.Definition.RecommendedVersion : command.Version.Trim();
        if (!ChartSemVer.TryParse(version, out _)) return Failure.Invalid("Chart versions are SemVer, such as 1.15.3.", "version");
        var prepared = await ChartReleases.PrepareAsync(addon.Source, version, command.Values ?? addon.Definition.DefaultValuesYaml, null, packages, values, ct);
        if (prepared.Failure is { } failure) return failure;
        var target = new ChartReleaseTarget(cluster.Id, cluster.Name, addon.Definition.Namespace, Addon: addon.Key);
        return await ChartReleases.InstallAsync(session, target, addon.Definition.ReleaseName, addon.Source, version, prepared.Value!.Values,
            actor.Ref, clock.GetUtcNow(), ChartReleases.Reason(command.Reason), ct);
    }
}
