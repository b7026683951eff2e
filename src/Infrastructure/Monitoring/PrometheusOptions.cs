namespace Cocktail.Infrastructure.Monitoring;

/// <summary>How Cocktail calls clusters' Prometheus servers (Cocktail:Monitoring:Prometheus).</summary>
public sealed class PrometheusOptions
{
    public const string Section = "Cocktail:Monitoring:Prometheus";

    /// <summary>The largest answer read; a query that returns more fails (Unreachable, saying so) instead of filling memory.</summary>
    public long MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>One query, from the request to the last byte of the answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
