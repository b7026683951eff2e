using System.Text;
using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.KubernetesAudit.SettingUpWebhook;

/// <summary>
/// The kube-apiserver's audit webhook set-up for one cluster: a kubeconfig for --audit-webhook-config-file and a
/// recommended audit policy. Only reads: a cluster without a secret yet is told so, and
/// <see cref="RotateAuditWebhookSecret"/> creates (or replaces) it.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record GetAuditWebhookConfig(Guid ClusterId, string BaseUrl) : IRequest<AuditWebhookConfig>;

/// <param name="IngestUrl">Where batches go, without the secret.</param>
/// <param name="SecretInUrl">True over plain http: the kubeconfig's server URL ends with the secret, because an API server sends no token there.</param>
public sealed record AuditWebhookConfig(string IngestUrl, [property: Secret] string Kubeconfig, string Policy, string ApiServerFlags, bool SecretInUrl)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public static class GetAuditWebhookConfigHandler
{
    public const string NoSecretYet =
        "This cluster has no audit webhook secret yet: create one (POST /api/v1/clusters/{id}/audit-webhook/rotate, or the Audit tab's " +
        "\"Create the webhook secret\").";

    public static async Task<Result<AuditWebhookConfig>> Handle(GetAuditWebhookConfig query, IQuerySession session, IDataProtectionProvider protection,
        IKubeconfigWriter kubeconfigs, IOptions<KubernetesAuditOptions> options, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var webhook = await session.LoadAsync<ClusterAuditWebhook>(cluster.Id, ct);
        if (webhook is null) return Failure.NotFound(NoSecretYet);
        var secret = protection.CreateProtector(AuditWebhookSecrets.Purpose).Unprotect(webhook.ProtectedSecret);
        return AuditWebhookSetUp.For(cluster, secret, query.BaseUrl, options.Value, kubeconfigs);
    }
}

/// <summary>
/// What an API server needs to send its audit events to Cocktail. The kubeconfig carries the secret the way a real
/// API server will send it: client-go's clientcmd reads a user's token (and client certificate) only when the server
/// is https, so over plain http the secret travels in the URL path.
/// </summary>
public static class AuditWebhookSetUp
{
    public const string ApiServerFlags =
        "--audit-webhook-config-file=/etc/kubernetes/cocktail-audit-webhook.yaml --audit-policy-file=/etc/kubernetes/cocktail-audit-policy.yaml " +
        "--audit-webhook-batch-max-size=400 --audit-webhook-batch-max-wait=5s";

    public static AuditWebhookConfig For(ClusterView cluster, string secret, string requestBaseUrl, KubernetesAuditOptions options, IKubeconfigWriter kubeconfigs)
    {
        var baseUrl = (options.PublicUrl ?? requestBaseUrl).TrimEnd('/');
        var url = $"{baseUrl}/api/v1/audit/ingest/{cluster.Id}";
        var overTls = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var kubeconfig = overTls
            ? kubeconfigs.Write("cocktail", new ClusterConnection(url, options.PublicCaData, Token: null), cluster.Name, secret, defaultNamespace: null)
            : kubeconfigs.Write("cocktail", new ClusterConnection($"{url}/{secret}", CertificateAuthorityData: null, Token: null), cluster.Name, token: null,
                defaultNamespace: null);
        return new AuditWebhookConfig(url, kubeconfig, RecommendedPolicy, ApiServerFlags, SecretInUrl: !overTls);
    }

    /// <summary>Metadata for everything, request bodies for changes, nothing for noisy read-only system traffic.</summary>
    public const string RecommendedPolicy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived"]
        rules:
        - level: None
          users: ["system:kube-proxy"]
          verbs: ["watch"]
        - level: None
          nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/metrics"]
        - level: None
          resources:
          - group: "coordination.k8s.io"
            resources: ["leases"]
        - level: Metadata
          resources:
          - group: ""
            resources: ["secrets", "configmaps", "serviceaccounts/token"]
          - group: "authentication.k8s.io"
            resources: ["tokenreviews"]
        - level: Request
          verbs: ["create", "update", "patch", "delete", "deletecollection"]
        - level: Metadata
        """;
}
