namespace Cocktail.Application.Registries.Images;

/// <summary>What the registry answered.</summary>
public enum RegistryAnswer
{
    Done,
    /// <summary>The registry does not have it (already deleted, never there): nothing left to do.</summary>
    NotFound,
    /// <summary>No answer, or a 5xx: ask again later.</summary>
    Unreachable,
    /// <summary>The registry answered and refused (4xx): asking again will not help.</summary>
    Refused,
}

/// <summary>An image's config as the registry holds it: when it was built and for which platform.</summary>
public sealed record ImageConfig(DateTimeOffset? CreatedAt, string? Platform);

/// <summary>
/// Cocktail's own calls to the workspace registry's HTTP API (OCI Distribution), with bearer tokens it signs for
/// itself for exactly the repository and actions each call needs.
/// </summary>
public interface IRegistryClient
{
    /// <summary>Deletes a manifest (and with it every tag pointing at it) by digest.</summary>
    Task<(RegistryAnswer Answer, string? Message)> DeleteManifestAsync(string repository, string digest, CancellationToken ct);

    /// <summary>Reads the manifest and its config blob; null config (with <see cref="RegistryAnswer.Done"/>) for an index.</summary>
    Task<(RegistryAnswer Answer, ImageConfig? Config)> ReadConfigAsync(string repository, string digest, CancellationToken ct);
}
