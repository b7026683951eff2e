using Cocktail.Application.Clusters.Connecting;
using Cocktail.Infrastructure.Kubernetes;
using k8s;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// The inventory's Kubernetes clients. KubernetesClient reads every answer but a watch with a synchronous JSON
/// deserializer straight from the network stream, so each list in flight holds a thread-pool thread until its last
/// byte arrives. With hundreds of clusters listing at once (a restart, a failover) that starved the pool: probes
/// timed out, healthy clusters were recorded Unreachable, and the database's connections timed out while opening.
/// Buffering the answer asynchronously first leaves only the parsing on the thread, and puts the whole body under
/// the client's timeout.
/// </summary>
internal static class InventoryClients
{
    public static IKubernetes Create(ClusterConnection connection, TimeSpan requestTimeout) =>
        new k8s.Kubernetes(KubernetesClients.Configuration(connection, requestTimeout), new BufferedAnswers());

    private sealed class BufferedAnswers : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!IsWatch(request)) await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }

        /// <summary>Watches stream for minutes; they are read line by line, asynchronously, by KubernetesClient.</summary>
        private static bool IsWatch(HttpRequestMessage request) =>
            request.RequestUri?.Query is { } query &&
            (query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) || query.Contains("watch=1", StringComparison.Ordinal));
    }
}
