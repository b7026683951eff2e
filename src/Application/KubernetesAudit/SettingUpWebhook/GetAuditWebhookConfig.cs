using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.KubernetesAudit.Webhook;

/// <summary>A cluster's audit webhook secret: hashed for checking every batch fast, encrypted so the page can show it again.</summary>
public sealed class ClusterAuditWebhook
{
    public Guid Id { get; set; }
    public string SecretHash { get; set; } = "";
    public string ProtectedSecret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record AuditWebhookSecretCreated(Guid ClusterId, string ClusterName, ActorRef By, DateTimeOffset At);

/// <summary>
/// The kube-apiserver's audit webhook set-up for one cluster: a kubeconfig for --audit-webhook-config-file and a
/// recommended audit policy. Creates the secret on first use; <see cref="Rotate"/> replaces it (the old one stops working).
/// The kubeconfig carries the secret the way a real API server will send it: client-go's clientcmd reads a user's
/// token (and client certificate) only when the server is https, so over plain http the secret travels in the URL path.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes] // creates (or rotates) the secret
public sealed record GetAuditWebhookConfig(Guid ClusterId, string BaseUrl, bool Rotate = false) : IRequest<AuditWebhookConfig>;

/// <param name="IngestUrl">Where batches go, without the secret.</param>
/// <param name="SecretInUrl">True over plain http: the kubeconfig's server URL ends with the secret, because an API server sends no token there.</param>
public sealed record AuditWebhookConfig(string IngestUrl, [property: Secret] string Kubeconfig, string Policy, string ApiServerFlags, bool SecretInUrl)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public static class AuditWebhookSecrets
{
    public static string Hash(string secret) => ApiTokenSecrets.Hash(secret);

    public static bool Matches(ClusterAuditWebhook webhook, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(webhook.SecretHash), Encoding.ASCII.GetBytes(Hash(presented)));
}

public static class GetAuditWebhookConfigHandler
{
    public static async Task<Result<AuditWebhookConfig>> Handle(GetAuditWebhookConfig query, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, IOptions<KubernetesAuditOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var protector = protection.CreateProtector("Cocktail.AuditWebhook.v1");
        var webhook = await session.LoadAsync<ClusterAuditWebhook>(cluster.Id, ct);
        string secret;
        if (webhook is null || query.Rotate)
        {
            secret = "cka_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            var now = clock.GetUtcNow();
            session.Store(new ClusterAuditWebhook { Id = cluster.Id, SecretHash = AuditWebhookSecrets.Hash(secret), ProtectedSecret = protector.Protect(secret), CreatedAt = now });
            session.Events.Append(cluster.Id, new AuditWebhookSecretCreated(cluster.Id, cluster.Name, actor.Ref, now));
        }
        else secret = protector.Unprotect(webhook.ProtectedSecret);

        var baseUrl = (options.Value.PublicUrl ?? query.BaseUrl).TrimEnd('/');
        var url = $"{baseUrl}/api/v1/audit/ingest/{cluster.Id}";
        var overTls = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var kubeconfig = overTls
            ? WebhookKubeconfig(cluster.Name, url, $"\n    token: {secret}", options.Value.PublicCaData)
            : WebhookKubeconfig(cluster.Name, $"{url}/{secret}", " {}", caData: null);
        return new AuditWebhookConfig(url, kubeconfig, RecommendedPolicy,
            "--audit-webhook-config-file=/etc/kubernetes/cocktail-audit-webhook.yaml --audit-policy-file=/etc/kubernetes/cocktail-audit-policy.yaml " +
            "--audit-webhook-batch-max-size=400 --audit-webhook-batch-max-wait=5s", SecretInUrl: !overTls);
    }

    private static string WebhookKubeconfig(string cluster, string server, string user, string? caData) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: cocktail
          cluster:
            server: {server}
        {(caData is null ? "" : $"    certificate-authority-data: {caData}\n")}users:
        - name: {cluster}
          user:{user}
        contexts:
        - name: default
          context:
            cluster: cocktail
            user: {cluster}
        current-context: default
        """;

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
