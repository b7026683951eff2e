using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.DeletingTags;

/// <summary>
/// Makes the registry match a recorded deletion: the manifest goes, by digest, unless a tag points at it again (it
/// was pushed anew meanwhile). Idempotent: a manifest already gone is done.
/// </summary>
[MessageIdentity("Cocktail.Application.Registries.RemoveImageManifest")]
public sealed record RemoveImageManifest(Guid RepositoryId, string Repository, string Digest);

public static class RemoveImageManifestHandler
{
    public static async Task Handle(RemoveImageManifest message, IQuerySession session, IRegistryClient registry, IMessageContext messages,
        IOptions<RegistryOptions> registryOptions, IOptions<RegistryImagesOptions> options, TimeProvider clock, ILogger<RemoveImageManifest> logger,
        CancellationToken ct)
    {
        if (!registryOptions.Value.Configured)
        {
            logger.LogWarning("No registry is configured; {Repository}@{Digest} is not removed from it", message.Repository, message.Digest);
            return;
        }
        var repository = await session.Events.AggregateStreamAsync<ImageRepository>(message.RepositoryId, token: ct);
        if (repository is not null && !repository.Unreferenced(message.Digest)) return;

        var (answer, detail) = await registry.DeleteManifestAsync(message.Repository, message.Digest, ct);
        switch (answer)
        {
            case RegistryAnswer.Done or RegistryAnswer.NotFound:
                logger.LogInformation("Removed {Repository}@{Digest} from the registry", message.Repository, message.Digest);
                return;
            case RegistryAnswer.Unreachable:
                await messages.ScheduleAsync(message, clock.GetUtcNow() + options.Value.RetryAfter);
                return;
            default:
                logger.LogWarning("The registry refused to remove {Repository}@{Digest}: {Detail}", message.Repository, message.Digest, detail);
                return;
        }
    }
}
