using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Upgrading;

/// <summary>
/// A newer chart version, with new values or (none given) the current ones; the values are checked against the new
/// version's schema, since a chart's schema may change between versions.
/// </summary>
public sealed record UpgradeRelease(Guid ReleaseId, string Version, string? Values = null, string? Reason = null) : IRequest<Accepted>;

public sealed class UpgradeReleaseValidator : AbstractValidator<UpgradeRelease>
{
    public UpgradeReleaseValidator()
    {
        RuleFor(x => x.Version).NotEmpty().WithMessage("Choose the chart version to upgrade to.").MaximumLength(ChartSemVer.MaxLength);
        RuleFor(x => x.Values).MaximumLength(ChartReleases.MaxValuesYaml).WithMessage("Values are at most 256 KiB of YAML.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class UpgradeReleaseHandler
{
    public static async Task<Result<Accepted>> Handle(UpgradeRelease command, Actor actor, IDocumentSession session,
        IChartPackages packages, IChartValues values, TimeProvider clock, CancellationToken ct)
    {
        var view = await ReleaseAccess.LoadAsync(session, actor, command.ReleaseId, change: true, ct);
        if (view.Failure is { } denied) return denied;
        var release = view.Value!;
        var version = command.Version.Trim();
        if (!ChartSemVer.TryParse(version, out _)) return Failure.Invalid("Chart versions are SemVer, such as 1.15.3.", "version");
        if (ChartSemVer.Compare(version, release.Version) <= 0)
            // The aggregate says why in its words (same version, or older: a rollback's job), before any download.
            return await ChartReleases.DecideAsync(session, command.ReleaseId, r => r.Upgrade(version, null, actor.Ref, clock.GetUtcNow(), null), ct);
        var source = new ChartSource(release.RepositoryUrl, release.RepositoryKind, release.Chart);
        var prepared = await ChartReleases.PrepareAsync(source, version, command.Values, release.Values, packages, values, ct);
        if (prepared.Failure is { } failure) return failure;
        return await ChartReleases.DecideAsync(session, command.ReleaseId,
            r => r.Upgrade(version, prepared.Value!.Values, actor.Ref, clock.GetUtcNow(), ChartReleases.Reason(command.Reason)), ct);
    }
}
