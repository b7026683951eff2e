using Cocktail.Application.Monitoring.LiveUsage;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Monitoring;

public static class ChartsSetup
{
    /// <summary>Live figures from metrics.k8s.io (charts go through the cluster's Prometheus, registered with the monitoring settings).</summary>
    public static IServiceCollection AddCharts(this IServiceCollection services) => services.AddSingleton<ILiveMetrics, LiveMetrics>();
}
