using Cocktail.Application.Common;

namespace Cocktail.Application.Monitoring;

public static class PrometheusFailures
{
    /// <summary>Said (409) when a cluster has no Prometheus: what to do about it, for the console's empty state too.</summary>
    public const string NotConfiguredAdvice =
        "Set where this cluster's Prometheus is in the cluster's monitoring settings (a service in the cluster, reached through the API server, " +
        "or a direct URL), or install kube-prometheus-stack so that Cocktail finds its prometheus-operated service.";

    /// <summary>None configured 409 with the way to set one; the rest as every Prometheus failure (unreachable 503, refused 403, bad query 400).</summary>
    public static Failure ToFailure(PrometheusFailure failure, string clusterName) => failure.Kind == PrometheusFailureKind.NotConfigured
        ? Failure.Conflict($"{clusterName} has no Prometheus. {NotConfiguredAdvice}")
        : failure.ToFailure();
}
