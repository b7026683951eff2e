using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Registries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Registries;

/// <summary>
/// The registry's HTTP API (OCI Distribution v2) as Cocktail calls it for itself: every call carries a bearer token
/// Cocktail signs for exactly that repository and those actions, valid for a minute.
/// </summary>
public sealed class RegistryClient(IHttpClientFactory clients, IRegistryTokenIssuer tokens, IOptions<RegistryOptions> options, ILogger<RegistryClient> logger)
    : IRegistryClient
{
    public const string HttpClientName = "registry";
    public const string Subject = "cocktail";

    private static readonly string[] ManifestAccept =
    [
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    public async Task<(RegistryAnswer Answer, string? Message)> DeleteManifestAsync(string repository, string digest, CancellationToken ct)
    {
        // Distribution 2.8 checks DELETE against the `delete` action alone (pull,push is refused): ask for nothing more.
        using var request = Request(HttpMethod.Delete, $"v2/{repository}/manifests/{digest}", repository, RegistryAccessRules.Delete);
        try
        {
            using var response = await Client().SendAsync(request, ct);
            return (Answer(response.StatusCode), response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {await Shortened(response, ct)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("The registry did not answer deleting {Repository}@{Digest}: {Error}", repository, digest, e.Message);
            return (RegistryAnswer.Unreachable, e.Message);
        }
    }

    public async Task<(RegistryAnswer Answer, ImageConfig? Config)> ReadConfigAsync(string repository, string digest, CancellationToken ct)
    {
        try
        {
            using var manifestRequest = Request(HttpMethod.Get, $"v2/{repository}/manifests/{digest}", repository, "pull");
            foreach (var type in ManifestAccept) manifestRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            using var manifest = await Client().SendAsync(manifestRequest, ct);
            if (!manifest.IsSuccessStatusCode) return (Answer(manifest.StatusCode), null);
            using var manifestJson = JsonDocument.Parse(await manifest.Content.ReadAsByteArrayAsync(ct));
            if (!manifestJson.RootElement.TryGetProperty("config", out var config) || !config.TryGetProperty("digest", out var configDigest))
                return (RegistryAnswer.Done, null); // an index: its platforms' manifests have the configs

            using var blobRequest = Request(HttpMethod.Get, $"v2/{repository}/blobs/{configDigest.GetString()}", repository, "pull");
            using var blob = await Client().SendAsync(blobRequest, ct);
            if (!blob.IsSuccessStatusCode) return (Answer(blob.StatusCode), null);
            using var configJson = JsonDocument.Parse(await blob.Content.ReadAsByteArrayAsync(ct));
            var root = configJson.RootElement;
            DateTimeOffset? created = root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String && c.TryGetDateTimeOffset(out var at) ? at : null;
            var os = root.TryGetProperty("os", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            var architecture = root.TryGetProperty("architecture", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            return (RegistryAnswer.Done, new ImageConfig(created, os is null && architecture is null ? null : $"{os}/{architecture}"));
        }
        catch (JsonException e)
        {
            logger.LogWarning("The registry's manifest or config of {Repository}@{Digest} is not JSON: {Error}", repository, digest, e.Message);
            return (RegistryAnswer.Refused, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("The registry did not answer reading {Repository}@{Digest}: {Error}", repository, digest, e.Message);
            return (RegistryAnswer.Unreachable, null);
        }
    }

    private HttpClient Client()
    {
        var client = clients.CreateClient(HttpClientName);
        var root = options.Value.EffectiveApiUrl.ToString();
        client.BaseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
        return client;
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string repository, params string[] actions)
    {
        var request = new HttpRequestMessage(method, path);
        var token = tokens.Issue(Subject, [RegistryAccess.Repository(repository, actions)], TimeSpan.FromMinutes(1));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static RegistryAnswer Answer(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => RegistryAnswer.Done,
        404 => RegistryAnswer.NotFound,
        429 or >= 500 => RegistryAnswer.Unreachable,
        _ => RegistryAnswer.Refused,
    };

    private static async Task<string> Shortened(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        return text.Length > 300 ? text[..300] : text;
    }
}
