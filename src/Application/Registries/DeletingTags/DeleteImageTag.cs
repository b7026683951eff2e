using Cocktail.Application.Common;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Registries.DeletingTags;

/// <summary>
/// Deletes a tag: recorded first (with every other tag of the same image, since the registry deletes the manifest
/// by digest), then the manifest is removed from the registry by <see cref="RemoveImageManifest"/>.
/// </summary>
public sealed record DeleteImageTag(Guid RepositoryId, string Tag, string? Reason, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class DeleteImageTagValidator : AbstractValidator<DeleteImageTag>
{
    public DeleteImageTagValidator()
    {
        RuleFor(x => x.Tag).Must(RepositoryNames.IsValidTag).WithMessage("A tag is letters, digits, '_', '.' and '-', at most 128 characters.");
        RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
    }
}

public static class DeleteImageTagHandler
{
    public static async Task<Result<Accepted>> Handle(DeleteImageTag command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var view = await ImageAccess.LoadAsync(session, actor, command.RepositoryId, TenancyAccess.CanDeploy, ct);
        if (view.Failure is { } failure) return failure;

        string? digest = null;
        var result = await AggregateStreams.DecideAsync<ImageRepository>(session, command.RepositoryId, command.ExpectedVersion, repository =>
        {
            digest = repository.Tags.GetValueOrDefault(command.Tag)?.Digest;
            return repository.DeleteTag(command.Tag, command.Reason, actor.Ref, clock.GetUtcNow());
        }, ImageRepository.NoSuchRepository, ct);
        if (result.Succeeded && digest is not null)
            await messages.PublishAsync(new RemoveImageManifest(command.RepositoryId, view.Value!.Name, digest));
        return result;
    }
}
