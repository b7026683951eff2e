using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.InspectingImages;

/// <summary>Reads a pushed image's config from the registry (created time, platform), after the push is recorded.</summary>
[MessageIdentity("Cocktail.Application.Registries.InspectImage")]
public sealed record InspectImage(Guid RepositoryId, string Digest, int Attempt = 1);

public static class InspectImageHandler
{
    public const int MaxAttempts = 5;

    public static async Task Handle(InspectImage message, IDocumentSession session, IRegistryClient registry, IMessageContext messages,
        IOptions<RegistryOptions> registryOptions, IOptions<RegistryImagesOptions> options, TimeProvider clock, ILogger<InspectImage> logger,
        CancellationToken ct)
    {
        if (!registryOptions.Value.Configured) return;
        var view = await session.LoadAsync<ImageRepositoryView>(message.RepositoryId, ct);
        var tags = view?.Tags.Where(t => t.Digest == message.Digest).ToList() ?? [];
        if (tags.Count == 0 || tags.All(t => t.CreatedAt is not null)) return;

        var (answer, config) = await registry.ReadConfigAsync(view!.Name, message.Digest, ct);
        switch (answer)
        {
            case RegistryAnswer.Unreachable when message.Attempt < MaxAttempts:
                await messages.ScheduleAsync(message with { Attempt = message.Attempt + 1 }, clock.GetUtcNow() + options.Value.RetryAfter);
                return;
            case RegistryAnswer.Done:
                var stream = await session.Events.FetchForWriting<ImageRepository>(message.RepositoryId, ct);
                if (stream.Aggregate is null) return;
                var decision = stream.Aggregate.RecordInspection(message.Digest, config?.CreatedAt, config?.Platform, false, clock.GetUtcNow());
                stream.AppendMany(decision.Events.ToArray());
                return;
            default:
                logger.LogWarning("The registry did not give the config of {Repository}@{Digest} ({Answer}); its created time stays unknown",
                    view.Name, message.Digest, answer);
                return;
        }
    }
}
