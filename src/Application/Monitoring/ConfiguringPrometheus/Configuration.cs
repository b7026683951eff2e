using Cocktail.Domain.Monitoring;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Monitoring.ConfiguringPrometheus;

/// <summary>The cluster monitoring settings' read model, secrets and events.</summary>
public static class Configuration
{
    public static void AddPrometheusSettings(this StoreOptions options)
    {
        options.Projections.Snapshot<ClusterMonitoringView>(SnapshotLifecycle.Inline);
        options.Schema.For<ClusterPrometheusCredential>();
        options.Events.AddEventTypes([typeof(ClusterMonitoringConfigured), typeof(ClusterMonitoringCleared)]);
    }
}
