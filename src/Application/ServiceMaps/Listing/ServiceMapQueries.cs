using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.ServiceMaps.Listing;

public sealed record ListServiceMaps(Guid WorkspaceId, Guid? ClusterId = null, int Page = 1, int PageSize = 50) : IRequest<Page<ServiceMapView>>;

public sealed record GetServiceMap(Guid ServiceMapId) : IRequest<ServiceMapView>;

/// <summary>Quota use as the cluster's ResourceQuota reports it now; null when the cluster does not answer.</summary>
public sealed record GetServiceMapUsage(Guid ServiceMapId) : IRequest<ServiceMapUsage>;

public sealed record ServiceMapUsage(QuotaUsage? Usage, string? Problem);

public static class ListServiceMapsHandler
{
    public static async Task<Result<Page<ServiceMapView>>> Handle(ListServiceMaps query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var maps = session.Query<ServiceMapView>().Where(s => s.WorkspaceId == query.WorkspaceId);
        if (query.ClusterId is { } clusterId) maps = maps.Where(s => s.ClusterId == clusterId);
        return await Paging.ToPageAsync(maps.OrderBy(s => s.Name), query.Page, query.PageSize, ct);
    }
}

public static class GetServiceMapHandler
{
    public static Task<Result<ServiceMapView>> Handle(GetServiceMap query, Actor actor, IQuerySession session, CancellationToken ct) =>
        ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, null, ct);
}

public static class GetServiceMapUsageHandler
{
    public static async Task<Result<ServiceMapUsage>> Handle(GetServiceMapUsage query, Actor actor, IQuerySession session,
        IServiceMapApplier clusters, ICredentialVault vault, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, null, ct);
        if (map.Failure is { } failure) return failure;
        var credential = await session.LoadAsync<ClusterCredential>(map.Value!.ClusterId, ct);
        if (credential is null) return new ServiceMapUsage(null, "The cluster is not registered.");
        var usage = await clusters.ReadQuotaUsageAsync(vault.Unprotect(credential.Protected), map.Value.Namespace, ct);
        return new ServiceMapUsage(usage, usage is null ? "The cluster does not answer, or the quota is not there yet." : null);
    }
}
