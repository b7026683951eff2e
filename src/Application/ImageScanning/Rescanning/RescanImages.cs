using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Application.Registries.Images;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning.Rescanning;

/// <summary>
/// The scheduled sweep (published on the replica that watches the clusters, so once across replicas): every image
/// still tagged in a workspace repository whose last scan attempt is older than the rescan interval is queued again.
/// </summary>
[MessageIdentity("Cocktail.Application.ImageScanning.RescanImages")]
public sealed record RescanImages;

public static class RescanImagesHandler
{
    public static async Task<IEnumerable<object>> Handle(RescanImages _, IQuerySession session, IOptions<ImageScanningOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        if (!options.Value.Enabled) return [];
        var due = clock.GetUtcNow() - options.Value.RescanInterval;
        var repositories = await session.Query<ImageRepositoryView>().Where(r => r.TagCount > 0).ToListAsync(ct);
        var tagged = repositories.SelectMany(r => r.Tags.Select(t => (Repository: r, Tag: t))).GroupBy(x => x.Tag.Digest, StringComparer.Ordinal).ToList();
        var digests = tagged.Select(g => g.Key).ToList();
        var records = (await session.LoadManyAsync<ImageScanRecord>(ct, digests)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var messages = new List<object>();
        foreach (var image in tagged)
        {
            if (records.TryGetValue(image.Key, out var record) && record.LastAttempt is { } last && last.At > due) continue;
            var (repository, tag) = image.OrderByDescending(x => x.Tag.PushedAt).First();
            messages.Add(new ScanImage(repository.WorkspaceId, repository.Name, image.Key, tag.Tag, "scheduled rescan"));
        }
        return messages;
    }
}
