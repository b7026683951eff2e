using Cocktail.Domain.Policies;

namespace Cocktail.Application.ImageScanning;

/// <summary>
/// An image reference as a container runtime reads it: registry (lower case, Docker Hub under one name), repository,
/// and a tag or a digest. The gate judges and the vulnerability views resolve workloads' images with the same reading.
/// </summary>
public sealed record ImageRef(string Original, string Registry, string Repository, string? Tag, string? Digest)
{
    public const int MaxLength = 1024;

    /// <summary>
    /// Splits <c>[registry/]repository[:tag][@digest]</c> the way Kubernetes does (docker.io when no registry is
    /// named, <c>library/</c> for a single-segment Docker Hub name, tag "latest" when neither tag nor digest is given).
    /// Null for what is no image reference at all.
    /// </summary>
    public static ImageRef? Parse(string? image)
    {
        if (string.IsNullOrWhiteSpace(image) || image.Length > MaxLength || image.Any(char.IsWhiteSpace)) return null;
        string? digest = null;
        var rest = image;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (digest.Length == 0) return null;
        }
        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (tag.Length == 0) return null;
        }
        var named = ImageReference.Registry(rest);
        var repository = rest.StartsWith(named + "/", StringComparison.Ordinal) ? rest[(named.Length + 1)..] : rest;
        if (repository.Length == 0) return null;
        var registry = NormalizeRegistry(named);
        // Docker Hub's official images live under library/, as the registry (and Trivy Operator's reports) name them.
        if (registry == DockerHub && !repository.Contains('/')) repository = "library/" + repository;
        if (digest is null && tag is null) tag = "latest";
        return new ImageRef(image, registry, repository, tag, digest);
    }

    private const string DockerHub = "docker.io";

    /// <summary>Host names compare without case, and Docker Hub goes by several (scanners report <c>index.docker.io</c>).</summary>
    public static string NormalizeRegistry(string registry) =>
        registry.ToLowerInvariant() is "index.docker.io" or "registry-1.docker.io" or DockerHub ? DockerHub : registry.ToLowerInvariant();

    public bool IsRegistry(string registry) => Registry == NormalizeRegistry(registry);
}

/// <summary>Asks the workspace registry which digest a tag points at, for tags Cocktail has not seen pushed.</summary>
public interface IRegistryTagResolver
{
    /// <summary>The digest, or null when the registry does not have the tag or does not answer.</summary>
    Task<string?> ResolveAsync(string repository, string tag, CancellationToken ct);
}
