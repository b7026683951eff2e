using Cocktail.Application.Common;
using Cocktail.Application.Provisioning.Building;
using Cocktail.Domain.Provisioning;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Provisioning.Listing;

/// <summary>Every provisioned cluster (deleted ones included, last), newest first.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record ListProvisionedClusters : IRequest<IReadOnlyList<ProvisionedClusterView>>;

[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetProvisionedCluster(Guid Id) : IRequest<ProvisionedClusterDetails>;

/// <summary>
/// The read model with what the management cluster shows now: its machines and events (live), and the objects
/// Cocktail applies, as YAML. <see cref="LiveError"/> says why the live parts are missing.
/// </summary>
public sealed record ProvisionedClusterDetails(
    ProvisionedClusterView View, IReadOnlyList<MachineInfo> Machines, IReadOnlyList<ManagementEvent> Events, string Yaml, string? LiveError = null);

public static class ListProvisionedClustersHandler
{
    public static async Task<Result<IReadOnlyList<ProvisionedClusterView>>> Handle(ListProvisionedClusters query, IQuerySession session, CancellationToken ct)
    {
        var views = await session.Query<ProvisionedClusterView>().OrderByDescending(v => v.RequestedAt).Take(1000).ToListAsync(ct);
        return views.OrderBy(v => v.Status == ProvisioningStatus.Deleted).ToList();
    }
}

public static class GetProvisionedClusterHandler
{
    public static async Task<Result<ProvisionedClusterDetails>> Handle(GetProvisionedCluster query, IQuerySession session,
        IClusterApiGateway gateway, CancellationToken ct)
    {
        var view = await session.LoadAsync<ProvisionedClusterView>(query.Id, ct);
        if (view is null) return Failure.NotFound(ProvisionedClusters.NotFound);
        var cluster = await session.Events.AggregateStreamAsync<ProvisionedCluster>(query.Id, token: ct);
        var yaml = cluster is null ? "" : ClusterObjects.ToYaml(ClusterObjects.Build(cluster.Blueprint));
        if (view.Status == ProvisioningStatus.Deleted) return new ProvisionedClusterDetails(view, [], [], yaml);
        var machines = await gateway.MachinesAsync(view.ManagementClusterId, view.Namespace, view.Name, ct);
        var events = await gateway.EventsAsync(view.ManagementClusterId, view.Namespace, view.Name, ct);
        string? liveError = null;
        // The gateway answers an unreachable cluster with empty lists: when there is nothing to show, ask once more
        // in a way that tells "nothing yet" from "cannot be reached".
        if (machines.Count == 0 && events.Count == 0 && cluster is not null)
        {
            var (_, failure) = await gateway.ObserveAsync(view.ManagementClusterId, cluster.Blueprint, ct);
            if (failure is not null) liveError = $"'{view.ManagementClusterName}' cannot be reached for machines and events: {Clip(failure.Message)}";
        }
        return new ProvisionedClusterDetails(view, machines, events, yaml, liveError);
    }

    private static string Clip(string message) => message.Length > 300 ? message[..300] + "…" : message;
}
