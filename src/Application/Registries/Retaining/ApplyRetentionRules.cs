using Cocktail.Application.Registries.DeletingTags;
using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Registries;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.Retaining;

/// <summary>The scheduled run (on the watching replica): one <see cref="ApplyRepositoryRetention"/> per repository with a rule.</summary>
[MessageIdentity("Cocktail.Application.Registries.ApplyRetentionRules")]
public sealed record ApplyRetentionRules;

/// <summary>One repository's rule applied now: each tag it no longer keeps is an event, then its manifest leaves the registry.</summary>
[MessageIdentity("Cocktail.Application.Registries.ApplyRepositoryRetention")]
public sealed record ApplyRepositoryRetention(Guid RepositoryId);

public static class ApplyRetentionRulesHandler
{
    public static async Task<IEnumerable<object>> Handle(ApplyRetentionRules _, IQuerySession session, CancellationToken ct)
    {
        var ruled = await session.Query<ImageRepositoryView>().Where(r => r.KeepLast != null || r.KeepNewerThanDays != null)
            .Select(r => r.Id).ToListAsync(ct);
        return ruled.Select(id => (object)new ApplyRepositoryRetention(id));
    }
}

public static class ApplyRepositoryRetentionHandler
{
    public static async Task Handle(ApplyRepositoryRetention message, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ImageRepository>(message.RepositoryId, ct);
        if (stream.Aggregate is not { } repository) return;
        var decision = repository.ApplyRetention(clock.GetUtcNow());
        if (decision.Events.Count == 0) return;
        stream.AppendMany(decision.Events.ToArray());
        foreach (var digest in decision.Events.OfType<ImageTagDeleted>().Select(e => e.Digest).Distinct())
            await messages.PublishAsync(new RemoveImageManifest(repository.Id, repository.Name, digest));
    }
}
