using Cocktail.Application.Common;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Registries;
using Marten;

namespace Cocktail.Application.Registries.Retaining;

/// <summary>
/// Sets a repository's retention rule (keep the last <c>KeepLast</c> tags, and those newer than
/// <c>KeepNewerThanDays</c>); both empty removes it. It runs on the schedule, not at once.
/// </summary>
public sealed record ChangeRetentionRule(Guid RepositoryId, int? KeepLast, int? KeepNewerThanDays, long? ExpectedVersion = null) : IRequest<Accepted>;

public static class ChangeRetentionRuleHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeRetentionRule command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var view = await ImageAccess.LoadAsync(session, actor, command.RepositoryId, TenancyAccess.CanManage, ct);
        if (view.Failure is { } failure) return failure;
        return await AggregateStreams.DecideAsync<ImageRepository>(session, command.RepositoryId, command.ExpectedVersion,
            repository => repository.ChangeRetention(command.KeepLast, command.KeepNewerThanDays, actor.Ref, clock.GetUtcNow()),
            ImageRepository.NoSuchRepository, ct);
    }
}
