using Cocktail.Application.Monitoring;
using Cocktail.Application.Monitoring.LiveUsage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cocktail.Infrastructure.Monitoring;

public static class ChartsSetup
{
    /// <summary>Live figures from metrics.k8s.io; charts go through <see cref="IClusterPrometheus"/>, registered with the monitoring settings.</summary>
    public static IServiceCollection AddCharts(this IServiceCollection services)
    {
        services.AddSingleton<ILiveMetrics, LiveMetrics>();
        // Until a cluster's Prometheus can be reached, every chart says how to set one; the real one replaces this.
        services.TryAddSingleton<IClusterPrometheus, NoClusterPrometheus>();
        return services;
    }
}

/// <summary>No cluster has a Prometheus: charts answer 409 with the way to set one.</summary>
public sealed class NoClusterPrometheus : IClusterPrometheus
{
    private const string Message = "No Prometheus is set for this cluster.";

    public Task<PrometheusAnswer<IReadOnlyList<PrometheusSample>>> QueryAsync(Guid clusterId, string promql, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(PrometheusAnswer<IReadOnlyList<PrometheusSample>>.Fail(PrometheusFailureKind.NotConfigured, Message));

    public Task<PrometheusAnswer<IReadOnlyList<PrometheusSeries>>> QueryRangeAsync(Guid clusterId, string promql, DateTimeOffset start,
        DateTimeOffset end, TimeSpan step, CancellationToken ct) =>
        Task.FromResult(PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Fail(PrometheusFailureKind.NotConfigured, Message));
}
