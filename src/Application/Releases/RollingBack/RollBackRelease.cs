using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.RollingBack;

/// <summary>Applies an earlier Cocktail revision's chart version and values again, as a new revision.</summary>
public sealed record RollBackRelease(Guid ReleaseId, int Revision, string? Reason = null) : IRequest<Accepted>;

public sealed class RollBackReleaseValidator : AbstractValidator<RollBackRelease>
{
    public RollBackReleaseValidator()
    {
        RuleFor(x => x.Revision).GreaterThan(0).WithMessage("Revisions start at 1.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class RollBackReleaseHandler
{
    public static async Task<Result<Accepted>> Handle(RollBackRelease command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await ReleaseAccess.LoadAsync(session, actor, command.ReleaseId, change: true, ct);
        if (view.Failure is { } denied) return denied;
        return await ChartReleases.DecideAsync(session, command.ReleaseId,
            r => r.RollBack(command.Revision, actor.Ref, clock.GetUtcNow(), ChartReleases.Reason(command.Reason)), ct);
    }
}
