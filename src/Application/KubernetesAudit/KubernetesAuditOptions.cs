namespace Cocktail.Application.KubernetesAudit;

public sealed class KubernetesAuditOptions
{
    public const string Section = "Cocktail:KubernetesAudit";

    /// <summary>Audit records older than this are purged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Cocktail's address as clusters reach it, for the webhook kubeconfig (default: the address the page was opened at).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The CA (base64 PEM) that signed Cocktail's TLS certificate, when it is not publicly trusted.</summary>
    public string? PublicCaData { get; set; }

    /// <summary>Most rows one search returns; "more" fetches the next ones.</summary>
    public int MaxPageSize { get; set; } = 5000;
}
