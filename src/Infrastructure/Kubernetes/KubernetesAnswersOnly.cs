using System.Net;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// For probing a server an admin gave: an answer that is not a Kubernetes API server's (no JSON, YAML or protobuf, for
/// example a web page) stops there, unread. Its body is never shown: the address may be anything on Cocktail's
/// network, and echoing what it said would let Cocktail be used to read it.
/// </summary>
internal sealed class KubernetesAnswersOnly : DelegatingHandler
{
    private static readonly string[] KubernetesMediaTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        // 401 and 403 are about the credentials, whoever sends them; their bodies are not shown either.
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return response;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && KubernetesMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase)) return response;
        response.Dispose();
        throw new NotKubernetesException(response.StatusCode, mediaType);
    }
}

/// <summary>A server answered, but not as a Kubernetes API server would.</summary>
public sealed class NotKubernetesException(HttpStatusCode status, string? mediaType)
    : Exception($"The server did not answer as a Kubernetes API server (HTTP {(int)status}, {mediaType ?? "no content type"}).")
{
    public HttpStatusCode Status { get; } = status;
    public string? MediaType { get; } = mediaType;
}
