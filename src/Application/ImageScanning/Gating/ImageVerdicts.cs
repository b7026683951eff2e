using System.Collections.Concurrent;
using Cocktail.Application.Policies;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Policies;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>
/// What judging the images of one namespace needs: its service map's effective image rules and its workspace's
/// active exceptions. A namespace of no service map, or whose rules do not gate, lets every image in.
/// </summary>
public sealed record ImageGateInputs(Guid ClusterId, string ClusterName, string Namespace, Guid? ServiceMapId, Guid WorkspaceId,
    string WorkspaceName, ImageScanPolicy Rules, IReadOnlyList<VulnerabilityException> Exceptions)
{
    public bool Gates => ServiceMapId is not null && Rules.Gates;

    public static ImageGateInputs Ungated(Guid clusterId, string clusterName, string ns) =>
        new(clusterId, clusterName, ns, null, Guid.Empty, "", ImageScanPolicy.None, []);

    /// <summary>The service map's inputs, read fresh from <paramref name="session"/> (deploy time: no cache).</summary>
    public static async Task<ImageGateInputs> ForAsync(IQuerySession session, ServiceMapView map, SecurityPolicy effective, DateTimeOffset now,
        CancellationToken ct)
    {
        var exceptions = effective.ImageRules.Gates
            ? await session.Query<VulnerabilityExceptionView>()
                .Where(x => x.WorkspaceId == map.WorkspaceId && x.RevokedAt == null && x.ValidUntil > now).ToListAsync(ct)
            : [];
        return new ImageGateInputs(map.ClusterId, map.ClusterName, map.Namespace, map.Id, map.WorkspaceId, map.WorkspaceName,
            effective.ImageRules, exceptions.Select(e => e.ToDomain()).ToList());
    }

    /// <summary>The inputs of the service map whose namespace this is on the cluster, or ungated inputs.</summary>
    public static async Task<ImageGateInputs> ForNamespaceAsync(IQuerySession session, Guid clusterId, string ns, DateTimeOffset now, CancellationToken ct)
    {
        var map = await session.Query<ServiceMapView>().FirstOrDefaultAsync(m => m.ClusterId == clusterId && m.Namespace == ns, ct);
        if (map is null)
        {
            var cluster = await session.LoadAsync<Clusters.ClusterView>(clusterId, ct);
            return Ungated(clusterId, cluster?.Name ?? "", ns);
        }
        var policies = await EffectivePolicies.ForAsync(session, map, ct);
        return await ForAsync(session, map, policies.Effective, now, ct);
    }
}

/// <summary>One image's verdict, with the digest it was judged by (null when it could not be resolved).</summary>
public sealed record ImageJudgement(string Image, string? Digest, ImageVerdict Verdict);

/// <summary>
/// Judges image references against a namespace's rules by their digests' latest scans: a digest reference as it is;
/// a tag of the workspace registry through the pushed tags Cocktail knows (else the registry itself); any other
/// registry's tag through the references scans were recorded under. All scans are loaded with one query.
/// </summary>
public sealed class ImageVerdicts(IRegistryTagResolver tags, IOptions<RegistryOptions> registry, TimeProvider clock)
{
    /// <summary>How long a tag's digest is remembered between reviews: a moved tag is seen after this at the latest.</summary>
    public static readonly TimeSpan TagMemory = TimeSpan.FromSeconds(5);
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, (string Digest, string Repository, DateTimeOffset Until)> _remembered = new();

    public async Task<IReadOnlyList<ImageJudgement>> JudgeAsync(IQuerySession session, ImageGateInputs inputs, IReadOnlyCollection<string> images,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!inputs.Gates) return images.Distinct().Select(i => new ImageJudgement(i, null, Allowed(i))).ToList();

        var resolved = new Dictionary<string, (ImageRef? Ref, string? Digest, string Repository)>();
        foreach (var image in images.Distinct())
            resolved[image] = await ResolveAsync(session, image, now, ct);

        var digests = resolved.Values.Select(r => r.Digest).OfType<string>().Distinct().ToArray();
        var records = digests.Length == 0 ? [] : await session.LoadManyAsync<ImageScanRecord>(ct, digests);
        var byDigest = records.ToDictionary(r => r.Id, StringComparer.Ordinal);

        return resolved.Select(pair =>
        {
            var (image, (reference, digest, repository)) = (pair.Key, pair.Value);
            if (reference is null)
                return new ImageJudgement(image, null, Denied($"\"{Cut(image)}\" is not an image reference"));
            if (digest is null)
                return new ImageJudgement(image, null, inputs.Rules.ScanRequired
                    ? Denied($"image {Cut(image)} has never been scanned (Cocktail knows no digest for it)")
                    : Allowed(image));
            var scan = byDigest.GetValueOrDefault(digest)?.Scan;
            return new ImageJudgement(image, digest, ImageVerdict.Decide(scan, inputs.Rules, inputs.Exceptions, repository, digest, now));
        }).ToList();
    }

    private async Task<(ImageRef?, string?, string)> ResolveAsync(IQuerySession session, string image, DateTimeOffset now, CancellationToken ct)
    {
        var reference = ImageRef.Parse(image);
        if (reference is null) return (null, null, image);
        var own = registry.Value.Configured && reference.IsRegistry(registry.Value.Address!);
        // Exceptions name repositories of the workspace registry; other registries' images keep their host, so none matches.
        var repository = own ? reference.Repository : $"{reference.Registry}/{reference.Repository}";
        if (reference.Digest is { } digest) return (reference, digest, repository);
        if (_remembered.TryGetValue(image, out var known) && known.Until > now) return (reference, known.Digest, known.Repository);

        string? found;
        if (own)
        {
            var view = await session.Query<ImageRepositoryView>().FirstOrDefaultAsync(r => r.Name == reference.Repository, ct);
            found = view?.Tags.FirstOrDefault(t => t.Tag == reference.Tag)?.Digest ?? await tags.ResolveAsync(reference.Repository, reference.Tag!, ct);
        }
        else
        {
            var (path, tag) = (reference.Repository, reference.Tag);
            var candidates = await session.Query<ImageScanRecord>()
                .Where(r => r.References.Any(x => x.Repository == path && x.Tag == tag)).Take(20).ToListAsync(ct);
            found = candidates.Where(r => r.References.Any(x => x.Repository == path && x.Tag == tag && reference.IsRegistry(x.Registry)))
                .OrderByDescending(r => r.ScannedAt).FirstOrDefault()?.Id;
        }
        if (found is not null)
        {
            if (_remembered.Count >= MaxRemembered) _remembered.Clear();
            _remembered[image] = (found, repository, now + TagMemory);
        }
        return (reference, found, repository);
    }

    private static ImageVerdict Allowed(string image) => new(true, [], [], [], $"image {Cut(image)} is allowed");

    private static ImageVerdict Denied(string message) => new(false, [DenialReason.NeverScanned], [], [], message);

    private static string Cut(string text) => text.Length <= 200 ? text : text[..199] + "…";
}
