using Cocktail.Domain.Registries;

namespace Cocktail.Application.Registries;

/// <summary>
/// Signs registry bearer tokens (Docker Registry v2 token authentication) with the key the registry trusts. Callers
/// decide the access; the issuer only signs. Cocktail uses it for its own calls to the registry (browsing, deleting
/// tags) as well as for the realm endpoint.
/// </summary>
public interface IRegistryTokenIssuer
{
    /// <summary>A JWT for <paramref name="subject"/> with exactly <paramref name="access"/> (empty means nothing).</summary>
    string Issue(string subject, IReadOnlyList<RegistryAccess> access, TimeSpan? lifetime = null);

    /// <summary>The PEM certificate of the signing key, for the registry's <c>auth.token.rootcertbundle</c>.</summary>
    string CertificatePem { get; }
}
