using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Provisioning;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Provisioning.EnablingClusterApi;

/// <summary>What a registered cluster offers as a Cluster API management cluster, discovered live.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetManagementCluster(Guid ClusterId) : IRequest<ManagementClusterView>;

/// <summary>An infrastructure whose CRDs are all served: offered, with what its form asks.</summary>
public sealed record ManagementInfrastructure(
    Infrastructure Kind, string DisplayName, string MachineTypeLabel, bool ManagedControlPlane, IReadOnlyList<ProviderSetting> Settings);

/// <summary>An infrastructure Cocktail supports but the management cluster lacks CRDs for.</summary>
public sealed record MissingInfrastructure(Infrastructure Kind, string DisplayName, IReadOnlyList<string> MissingCrds);

/// <summary>A seed infrastructure with no Cluster API provider: register such clusters instead.</summary>
public sealed record RegisterOnlyInfo(string DisplayName, string Reason);

/// <summary>
/// <see cref="Enabled"/> is what was recorded; the rest is what the cluster serves now (<see cref="Reachable"/> false:
/// <see cref="Error"/> says why, and the lists are empty).
/// </summary>
public sealed record ManagementClusterView(
    Guid ClusterId, string Name, bool Enabled, bool Reachable, string? Error,
    IReadOnlyList<ManagementInfrastructure> Infrastructures, IReadOnlyList<MissingInfrastructure> NotInstalled,
    IReadOnlyList<ClusterClassInfo> ClusterClasses, IReadOnlyList<RegisterOnlyInfo> RegisterOnly, bool ClusterClassesServed = false);

public static class GetManagementClusterHandler
{
    public static async Task<Result<ManagementClusterView>> Handle(GetManagementCluster query, IQuerySession session,
        IClusterApiGateway gateway, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var registerOnly = InfrastructureCatalog.RegisterOnly.Select(r => new RegisterOnlyInfo(r.DisplayName, r.Reason)).ToList();
        var (discovery, failure) = await gateway.DiscoverAsync(cluster.Id, ct);
        if (failure is not null || discovery is null)
            return new ManagementClusterView(cluster.Id, cluster.Name, cluster.ClusterApiManagement, false,
                failure?.Message ?? "The cluster did not answer.", [], [], [], registerOnly);

        var installed = discovery.Infrastructures;
        return new ManagementClusterView(cluster.Id, cluster.Name, cluster.ClusterApiManagement, true, null,
            [.. InfrastructureCatalog.All.Where(i => installed.Contains(i.Kind))
                .Select(i => new ManagementInfrastructure(i.Kind, i.DisplayName, i.MachineTypeLabel, i.ManagedControlPlane, i.Settings))],
            [.. InfrastructureCatalog.All.Where(i => !installed.Contains(i.Kind))
                .Select(i => new MissingInfrastructure(i.Kind, i.DisplayName, [.. i.RequiredCrds.Where(c => !discovery.ServedCrds.Contains(c))]))],
            discovery.ClusterClasses, registerOnly, discovery.ClusterClassesServed);
    }
}
