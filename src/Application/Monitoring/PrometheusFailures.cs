using Cocktail.Application.Common;

namespace Cocktail.Application.Monitoring;

public static class PrometheusFailures
{
    /// <summary>Said (409) when a cluster has no Prometheus: what to do about it, for the console's empty state too.</summary>
    public const string NotConfiguredAdvice =
        "Set where this cluster's Prometheus is in the cluster's monitoring settings (a service in the cluster, reached through the API server, " +
        "or a direct URL), or install kube-prometheus-stack so that Cocktail finds its prometheus-operated service.";

    /// <summary>Unreachable 503, refused 403, a query Prometheus refuses 400, none configured 409 with the way to set one.</summary>
    public static Failure ToFailure(PrometheusFailure failure, string clusterName) => failure.Kind switch
    {
        PrometheusFailureKind.NotConfigured => Failure.Conflict($"{clusterName} has no Prometheus. {NotConfiguredAdvice}"),
        PrometheusFailureKind.Unreachable => new Failure(FailureKind.Unavailable, $"The Prometheus of {clusterName} does not answer: {failure.Message}"),
        PrometheusFailureKind.Refused => Failure.Forbidden($"The Prometheus of {clusterName} refused Cocktail's credentials: {failure.Message}"),
        PrometheusFailureKind.BadQuery => Failure.Invalid($"Prometheus refused the query: {failure.Message}"),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure.Kind, null),
    };
}
