using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.ChangingValues;

/// <summary>New values (the whole overrides, as YAML) for the chart version the release runs; checked against its schema first.</summary>
public sealed record ChangeReleaseValues(Guid ReleaseId, string Values, string? Reason = null) : IRequest<Accepted>;

public sealed class ChangeReleaseValuesValidator : AbstractValidator<ChangeReleaseValues>
{
    public ChangeReleaseValuesValidator()
    {
        RuleFor(x => x.Values).NotNull().WithMessage("Give the values as YAML ('{}' for none).")
            .MaximumLength(ChartReleases.MaxValuesYaml).WithMessage("Values are at most 256 KiB of YAML.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class ChangeReleaseValuesHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeReleaseValues command, Actor actor, IDocumentSession session,
        IChartPackages packages, IChartValues values, TimeProvider clock, CancellationToken ct)
    {
        var view = await ReleaseAccess.LoadAsync(session, actor, command.ReleaseId, change: true, ct);
        if (view.Failure is { } denied) return denied;
        var release = view.Value!;
        var source = new ChartSource(release.RepositoryUrl, release.RepositoryKind, release.Chart);
        var prepared = await ChartReleases.PrepareAsync(source, release.Version, command.Values, null, packages, values, ct);
        if (prepared.Failure is { } failure) return failure;
        return await ChartReleases.DecideAsync(session, command.ReleaseId,
            r => r.ChangeValues(prepared.Value!.Values, actor.Ref, clock.GetUtcNow(), ChartReleases.Reason(command.Reason)), ct);
    }
}
