using Cocktail.Application.Common;

namespace Cocktail.Application.Monitoring;

/// <summary>How a Prometheus failure reaches a caller: unreachable 503, refused 403, a bad query 400 (the message says why).</summary>
public static class PrometheusFailureMapping
{
    public static Failure ToFailure(this PrometheusFailure failure) => failure.Kind switch
    {
        PrometheusFailureKind.Unreachable => new Failure(FailureKind.Unavailable, failure.Message),
        PrometheusFailureKind.Refused => Failure.Forbidden(failure.Message),
        PrometheusFailureKind.BadQuery => Failure.Invalid(failure.Message, "query"),
        _ => Failure.Invalid(failure.Message, "source"),
    };
}
