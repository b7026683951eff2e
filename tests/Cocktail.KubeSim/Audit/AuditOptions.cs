namespace Cocktail.KubeSim.Audit;

/// <summary>How much of a request an audit event records (audit.k8s.io/v1 Level).</summary>
public enum AuditLevel { None, Metadata, Request, RequestResponse }

/// <summary>
/// The equivalent of kube-apiserver's <c>--audit-webhook-config-file</c> plus <c>--audit-webhook-batch-*</c> flags and a
/// one-rule policy: every request is audited at <see cref="Level"/>.
/// </summary>
public sealed record AuditOptions
{
    /// <summary>The webhook's kubeconfig YAML: clusters[0].cluster.server, certificate-authority-data or
    /// insecure-skip-tls-verify, users[0].user.token or client-certificate-data/client-key-data.</summary>
    public required string WebhookKubeconfigYaml { get; init; }

    public AuditLevel Level { get; init; } = AuditLevel.Metadata;

    /// <summary>Stages that produce events; the apiserver's default policy emits all, most setups omit RequestReceived.</summary>
    public IReadOnlySet<string> Stages { get; init; } = new HashSet<string> { "ResponseComplete" };

    /// <summary>--audit-webhook-batch-max-size (400 on a real server).</summary>
    public int BatchMaxSize { get; init; } = 400;

    /// <summary>--audit-webhook-batch-max-wait (30 s on a real server; keep it short in tests).</summary>
    public TimeSpan BatchMaxWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>--audit-webhook-batch-buffer-size: events beyond this are dropped, as the real backend does.</summary>
    public int BufferSize { get; init; } = 10_000;

    /// <summary>--audit-webhook-initial-backoff (10 s on a real server); retries grow by 1.5x.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Attempts per batch before it is dropped.</summary>
    public int MaxAttempts { get; init; } = 5;
}
