using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Application.Monitoring.ConfiguringPrometheus;

/// <summary>Where a cluster's Prometheus is, as its stream tells it (projected inline). Holds no secret.</summary>
public sealed class ClusterMonitoringView
{
    public Guid Id { get; set; }
    public string ClusterName { get; set; } = "";
    public PrometheusLocation? Location { get; set; }
    public string ConfiguredBy { get; set; } = "";
    public DateTimeOffset ConfiguredAt { get; set; }
    public long Version { get; set; }

    public static ClusterMonitoringView Create(ClusterMonitoringConfigured e) => new()
    {
        Id = e.ClusterId, ClusterName = e.Name, Location = e.Location, ConfiguredBy = e.ConfiguredBy.Name, ConfiguredAt = e.ConfiguredAt,
    };

    public void Apply(ClusterMonitoringConfigured e)
    {
        ClusterName = e.Name;
        Location = e.Location;
        ConfiguredBy = e.ConfiguredBy.Name;
        ConfiguredAt = e.ConfiguredAt;
    }

    public bool ShouldDelete(ClusterMonitoringCleared _) => true;
    public bool ShouldDelete(ClusterUnregistered _) => true;
}

/// <summary>A direct URL's credentials and CA, encrypted (Data Protection) like a cluster's credentials. Never returned.</summary>
public sealed class ClusterPrometheusCredential
{
    public Guid Id { get; set; }
    public string Protected { get; set; } = "";
}

/// <summary>What <see cref="ClusterPrometheusCredential"/> protects.</summary>
public sealed record PrometheusSecrets([property: Secret] string? BearerToken, [property: Secret] string? Password, string? CaCertificate)
{
    public const string Purpose = "Cocktail.PrometheusCredentials.v1";
    public static readonly PrometheusSecrets None = new(null, null, null);
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>A Prometheus to call: its location and, for a direct URL, its secrets.</summary>
public sealed record PrometheusEndpoint(PrometheusLocation Location, PrometheusSecrets Secrets);

/// <summary>Calls a Prometheus that is not (or not yet) the cluster's saved one: the settings' "test connection".</summary>
public interface IPrometheusProbe
{
    /// <summary>Prometheus' version (from /api/v1/status/buildinfo) or a typed failure.</summary>
    Task<PrometheusAnswer<string>> BuildInfoAsync(Guid clusterId, PrometheusEndpoint endpoint, CancellationToken ct);

    /// <summary>The cluster's saved location and secrets, or null when none is set.</summary>
    Task<PrometheusEndpoint?> SavedAsync(Guid clusterId, CancellationToken ct);
}
