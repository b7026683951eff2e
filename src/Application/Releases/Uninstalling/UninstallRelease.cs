using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Uninstalling;

/// <summary>Deletes the HelmRelease: Flux uninstalls the Helm release (and what it created), then the release shows uninstalled.</summary>
public sealed record UninstallRelease(Guid ReleaseId, string? Reason = null) : IRequest<Accepted>;

public sealed class UninstallReleaseValidator : AbstractValidator<UninstallRelease>
{
    public UninstallReleaseValidator() => RuleFor(x => x.Reason).MaximumLength(500);
}

public static class UninstallReleaseHandler
{
    public static async Task<Result<Accepted>> Handle(UninstallRelease command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await ReleaseAccess.LoadAsync(session, actor, command.ReleaseId, change: true, ct);
        if (view.Failure is { } denied) return denied;
        return await ChartReleases.DecideAsync(session, command.ReleaseId,
            r => r.RequestUninstall(actor.Ref, clock.GetUtcNow(), ChartReleases.Reason(command.Reason)), ct);
    }
}
