using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Registries;
using Marten;

namespace Cocktail.Application.Registries.Images;

/// <summary>
/// A repository belongs to its workspace: members read it, developers and workspace admins delete tags (they may push
/// anyway), workspace admins set its retention rule. Someone who may not read it is told it does not exist.
/// </summary>
public static class ImageAccess
{
    public static async Task<Result<ImageRepositoryView>> LoadAsync(IQuerySession session, Actor actor, Guid repositoryId,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var repository = await session.LoadAsync<ImageRepositoryView>(repositoryId, ct);
        if (repository is null) return Failure.NotFound(ImageRepository.NoSuchRepository);
        var workspace = await TenancyAccess.LoadAsync(session, actor, repository.WorkspaceId, null, ct);
        if (!workspace.Succeeded) return Failure.NotFound(ImageRepository.NoSuchRepository);
        if (allowed is not null && !allowed(actor, workspace.Value!)) return Failure.Forbidden("Your role in this workspace does not allow this.");
        return repository;
    }
}
