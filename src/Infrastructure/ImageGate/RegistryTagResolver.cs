using System.Net.Http.Headers;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Registries;
using Cocktail.Infrastructure.Registries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.ImageGate;

/// <summary>HEAD of the tag's manifest at the workspace registry: its <c>Docker-Content-Digest</c>, with a pull token Cocktail signs for itself.</summary>
public sealed class RegistryTagResolver(IHttpClientFactory clients, IRegistryTokenIssuer tokens, IOptions<RegistryOptions> options,
    ILogger<RegistryTagResolver> logger) : IRegistryTagResolver
{
    static readonly string[] ManifestAccept =
    [
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
    ];

    public async Task<string?> ResolveAsync(string repository, string tag, CancellationToken ct)
    {
        if (!options.Value.Configured) return null;
        var root = options.Value.EffectiveApiUrl.ToString();
        var client = clients.CreateClient(Registries.RegistryClient.HttpClientName);
        client.BaseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/manifests/{Uri.EscapeDataString(tag)}");
        foreach (var type in ManifestAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            tokens.Issue(Registries.RegistryClient.Subject, [RegistryAccess.Repository(repository, "pull")], TimeSpan.FromMinutes(1)));
        try
        {
            using var response = await client.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return null;
            return response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } digest && Digests.IsValid(digest)
                ? digest : null;
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("The registry did not answer resolving {Repository}:{Tag}: {Error}", repository, tag, e.Message);
            return null;
        }
    }
}
