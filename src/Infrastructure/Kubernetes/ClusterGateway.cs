using Cocktail.Application.Clusters.Connecting;
using k8s;

namespace Cocktail.Infrastructure.Kubernetes;

public sealed class ClusterGateway : IClusterGateway
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public async Task<(ClusterProbe? Probe, ConnectionFailure? Failure)> ProbeAsync(ClusterConnection connection, CancellationToken ct)
    {
        try
        {
            using var client = ClusterClientFactory.CreateUncached(connection, ProbeTimeout, new KubernetesAnswersOnly());
            var version = await client.Version.GetCodeAsync(ct);
            var nodes = await client.CoreV1.ListNodeAsync(limit: 500, cancellationToken: ct);
            var count = nodes.Items.Count + (int)(nodes.Metadata?.RemainingItemCount ?? 0);
            return (new ClusterProbe(version.GitVersion, count), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (null, ConnectionErrors.Describe(e, connection.Server));
        }
    }
}
