using Cocktail.Domain.Policies;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>An image reference as a container runtime reads it: registry, repository, and a tag or a digest.</summary>
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
        var registry = ImageReference.Registry(rest);
        var repository = rest.StartsWith(registry + "/", StringComparison.Ordinal) ? rest[(registry.Length + 1)..] : rest;
        if (repository.Length == 0) return null;
        if (registry == "docker.io" && !repository.Contains('/')) repository = "library/" + repository;
        if (digest is null && tag is null) tag = "latest";
        return new ImageRef(image, registry, repository, tag, digest);
    }

    /// <summary>Docker Hub goes by several names; scanners report it as <c>index.docker.io</c>.</summary>
    public bool IsRegistry(string registry) =>
        string.Equals(Registry, registry, StringComparison.OrdinalIgnoreCase) ||
        Registry == "docker.io" && registry is "index.docker.io" or "registry-1.docker.io";
}

/// <summary>Asks the workspace registry which digest a tag points at, for tags Cocktail has not seen pushed.</summary>
public interface IRegistryTagResolver
{
    /// <summary>The digest, or null when the registry does not have the tag or does not answer.</summary>
    Task<string?> ResolveAsync(string repository, string tag, CancellationToken ct);
}
