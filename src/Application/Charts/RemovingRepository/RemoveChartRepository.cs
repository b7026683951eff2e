using Cocktail.Application.Charts.Refreshing;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Charts.RemovingRepository;

/// <summary>Removes a chart repository (platform admins): its charts leave every workspace's catalog at once.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RemoveChartRepository(Guid RepositoryId, string? Reason = null) : IRequest<Accepted>;

public sealed class RemoveChartRepositoryValidator : AbstractValidator<RemoveChartRepository>
{
    public RemoveChartRepositoryValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RemoveChartRepositoryHandler
{
    public static async Task<Result<Accepted>> Handle(RemoveChartRepository command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var decided = await AggregateStreams.DecideAsync<ChartRepository>(session, command.RepositoryId, null,
            r => r.Remove(actor.Ref, command.Reason, clock.GetUtcNow()), ChartRepository.NoSuchRepository, ct);
        if (decided.Succeeded) ChartIndexStore.Forget(session, command.RepositoryId);
        return decided;
    }
}
