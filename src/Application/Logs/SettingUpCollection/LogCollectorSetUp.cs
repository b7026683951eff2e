using System.Text;
using Cocktail.Application.Common;

namespace Cocktail.Application.Logs.SettingUpCollection;

/// <summary>
/// What a cluster needs to send its containers' logs to Cocktail: an OpenTelemetry Collector DaemonSet reading
/// /var/log/pods, enriched by the k8sattributes processor, exporting OTLP/HTTP to <see cref="Endpoint"/> with the
/// cluster's token from a Secret. <see cref="Token"/> and <see cref="SecretManifest"/> are only in the answer that
/// created the token; afterwards the set-up shows everything else.
/// </summary>
/// <param name="Endpoint">The exporter's endpoint (the collector adds /v1/logs).</param>
/// <param name="Manifests">Namespace, ServiceAccount and RBAC, ConfigMap (collector configuration) and DaemonSet, one YAML stream.</param>
/// <param name="SecretCommand">How to create the token's Secret without writing the token to a file.</param>
public sealed record LogCollectorSetUp(
    Guid ClusterId, string ClusterName, string Endpoint, bool HasToken, DateTimeOffset? TokenCreatedAt, string Manifests, string SecretCommand,
    [property: Secret] string? Token = null, [property: Secret] string? SecretManifest = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}
