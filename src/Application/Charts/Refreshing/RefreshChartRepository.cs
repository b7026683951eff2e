using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.Extensions.Logging;

namespace Cocktail.Application.Charts.Refreshing;

/// <summary>Reads a repository's index again now (platform admins); the answer says what it holds or why it failed.</summary>
[RequiresRole(PlatformRole.PlatformAdmin), Writes]
public sealed record RefreshChartRepository(Guid RepositoryId) : IRequest<ChartRepositoryRefresh>;

/// <summary>Every repository's index read again: the leader sends this each <see cref="ChartRepositoriesOptions.RefreshInterval"/>.</summary>
public sealed record RefreshChartRepositories;

public sealed record ChartRefreshResult(int Repositories, int Failed);

public static class RefreshChartRepositoryHandler
{
    public static async Task<Result<ChartRepositoryRefresh>> Handle(RefreshChartRepository command, IDocumentSession session, IChartIndexes indexes,
        TimeProvider clock, CancellationToken ct)
    {
        var repository = await session.LoadAsync<ChartRepositoryView>(command.RepositoryId, ct);
        if (repository is null || repository.Removed) return Failure.NotFound(Domain.Charts.ChartRepository.NoSuchRepository);
        return await RefreshAsync(session, indexes, repository, clock, ct);
    }

    internal static async Task<ChartRepositoryRefresh> RefreshAsync(IDocumentSession session, IChartIndexes indexes, ChartRepositoryView repository,
        TimeProvider clock, CancellationToken ct)
    {
        var index = await indexes.GetAsync(repository.Url, repository.Kind, repository.Charts, ct);
        return index.Succeeded
            ? await ChartIndexStore.StoreAsync(session, repository.Id, repository.Name, index.Value!, clock.GetUtcNow(), ct)
            : await ChartIndexStore.FailedAsync(session, repository.Id, index.Failure!.Message, clock.GetUtcNow(), ct);
    }
}

public static class RefreshChartRepositoriesHandler
{
    public static async Task<ChartRefreshResult> Handle(RefreshChartRepositories _, IDocumentStore store, IChartIndexes indexes, TimeProvider clock,
        ILogger<RefreshChartRepositories> logger, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var repositories = await query.Query<ChartRepositoryView>().Where(r => !r.Removed).ToListAsync(ct);
        var failed = 0;
        foreach (var repository in repositories)
        {
            // One transaction per repository: a slow or broken one does not hold back the others' listings.
            await using var session = store.LightweightSession();
            var refresh = await RefreshChartRepositoryHandler.RefreshAsync(session, indexes, repository, clock, ct);
            await session.SaveChangesAsync(ct);
            if (refresh.Error is not null)
            {
                failed++;
                logger.LogWarning("Chart repository {Repository} could not be refreshed: {Error}", repository.Name, refresh.Error);
            }
        }
        return new ChartRefreshResult(repositories.Count, failed);
    }
}
