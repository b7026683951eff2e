using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Marten;

namespace Cocktail.Application.Monitoring.ConfiguringPrometheus;

/// <summary>
/// The cluster's monitoring settings, for whoever may see the cluster. Never a secret: only whether a token,
/// password or CA is stored. While no location is set, platform admins are offered a Prometheus found among the
/// cluster's Services (<c>prometheus-operated</c>, the Prometheus Operator's, or <c>kube-prometheus-stack-prometheus</c>).
/// </summary>
public sealed record GetClusterMonitoring(Guid ClusterId) : IRequest<ClusterMonitoringSettings>;

public sealed record ClusterMonitoringSettings(
    Guid ClusterId, string ClusterName, bool Configured, string? Source, string? ServiceNamespace, string? ServiceName,
    string? ServiceScheme, int? ServicePort, string? Url, string? Auth, string? Username, bool HasBearerToken, bool HasPassword,
    bool HasCaCertificate, string? ConfiguredBy, DateTimeOffset? ConfiguredAt, DetectedPrometheus? Detected, long Version);

/// <summary>A Prometheus Service found on the cluster, to offer as its location.</summary>
public sealed record DetectedPrometheus(string ServiceNamespace, string ServiceName, string ServiceScheme, int ServicePort);

public static class GetClusterMonitoringHandler
{
    /// <summary>The Services that front a Prometheus in the common installs, in order of preference.</summary>
    public static readonly IReadOnlyList<string> KnownServices = ["prometheus-operated", "kube-prometheus-stack-prometheus"];

    public static async Task<Result<ClusterMonitoringSettings>> Handle(GetClusterMonitoring query, Actor actor, IQuerySession session,
        IInventoryReader inventory, IPrometheusProbe probe, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null || !await ClusterScope.CanSeeAsync(actor, query.ClusterId, session, ct)) return Failure.NotFound("No such cluster.");
        var view = await session.LoadAsync<ClusterMonitoringView>(query.ClusterId, ct);
        if (view?.Location is not { } location)
        {
            var detected = actor.CanReadEverything ? await DetectAsync(query.ClusterId, inventory, ct) : null;
            return new ClusterMonitoringSettings(cluster.Id, cluster.Name, false, null, null, null, null, null, null, null, null,
                false, false, false, null, null, detected, cluster.Version);
        }
        var saved = await probe.SavedAsync(query.ClusterId, ct);
        var secrets = saved?.Secrets ?? PrometheusSecrets.None;
        return new ClusterMonitoringSettings(cluster.Id, cluster.Name, true, location.Source.ToString(), location.ServiceNamespace,
            location.ServiceName, location.ServiceScheme, location.ServicePort, location.Url,
            location.Source == PrometheusSource.DirectUrl ? location.Auth.ToString() : null, location.Username,
            secrets.BearerToken is not null, secrets.Password is not null, secrets.CaCertificate is not null,
            view.ConfiguredBy, view.ConfiguredAt, null, cluster.Version);
    }

    /// <summary>Reads the observed inventory (no call to the cluster): a GET stays cheap and never writes.</summary>
    public static async Task<DetectedPrometheus?> DetectAsync(Guid clusterId, IInventoryReader inventory, CancellationToken ct)
    {
        var services = await inventory.ListAsync<ServiceInfo>(clusterId, [InventoryKind.Service], new InventoryFilter(Search: "prometheus"), 1, 200, ct);
        foreach (var name in KnownServices)
        {
            var service = services.Items.Where(s => s.Name == name).OrderBy(s => s.Namespace == "monitoring" ? 0 : 1).FirstOrDefault();
            if (service is null) continue;
            var ports = service.Ports.Select(p => int.TryParse(p.Split('/')[0], out var n) ? n : 0).Where(n => n > 0).ToList();
            var port = ports.Contains(9090) ? 9090 : ports.FirstOrDefault(9090);
            return new DetectedPrometheus(service.Namespace, service.Name, "http", port);
        }
        return null;
    }
}
