using Cocktail.Domain.Monitoring;

namespace Cocktail.Application.Monitoring;

/// <summary>One value of an instant query: the series' labels and its value at the evaluation time.</summary>
public sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, DateTimeOffset At, double Value);

/// <summary>One series of a range query.</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<PrometheusPoint> Points);

public readonly record struct PrometheusPoint(DateTimeOffset At, double Value);

public enum PrometheusFailureKind
{
    /// <summary>The cluster has no Prometheus location set and none was detected.</summary>
    NotConfigured,
    /// <summary>The network, the API server proxy or Prometheus did not answer (503 to callers).</summary>
    Unreachable,
    /// <summary>The API server or Prometheus refused the credentials (403 to callers).</summary>
    Refused,
    /// <summary>Prometheus refused the query itself (bad_data): the message says why (400 to callers).</summary>
    BadQuery,
}

/// <summary>A failure that is safe to show: never carries a token, password or kubeconfig.</summary>
public sealed record PrometheusFailure(PrometheusFailureKind Kind, string Message);

public sealed record PrometheusAnswer<T>(T? Value, PrometheusFailure? Failure)
{
    public bool Succeeded => Failure is null;
    public static PrometheusAnswer<T> Ok(T value) => new(value, null);
    public static PrometheusAnswer<T> Fail(PrometheusFailureKind kind, string message) => new(default, new PrometheusFailure(kind, message));
}

/// <summary>
/// A cluster's Prometheus, reached through the API server's service proxy with the cluster's registered credentials
/// (or the direct URL set in the cluster's monitoring settings). Callers confine queries before they get here.
/// </summary>
public interface IClusterPrometheus
{
    Task<PrometheusAnswer<IReadOnlyList<PrometheusSample>>> QueryAsync(Guid clusterId, string promql, DateTimeOffset at, CancellationToken ct);

    Task<PrometheusAnswer<IReadOnlyList<PrometheusSeries>>> QueryRangeAsync(
        Guid clusterId, string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken ct);
}

/// <summary>
/// Sent through the durable outbox whenever an alert fires or resolves (not while a silence covers it), so the
/// notification channels of its workspace (or the platform's, when <see cref="WorkspaceId"/> is null) deliver it.
/// </summary>
public sealed record AlertStateChanged(
    Guid AlertId, string Fingerprint, bool Firing, string RuleName, AlertSeverity Severity,
    Guid? WorkspaceId, Guid? ClusterId, string? ClusterName, Guid? ServiceMapId,
    IReadOnlyDictionary<string, string> Labels, string Summary, DateTimeOffset At);
