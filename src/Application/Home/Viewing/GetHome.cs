using Cocktail.Application.AccessGrants;
using Cocktail.Application.Audit;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.QuotaRequests;
using Cocktail.Application.Users;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;
using Marten;

namespace Cocktail.Application.Home.Viewing;

/// <summary>
/// A person's start page: their workspaces with what is allocated of each quota, their workloads in trouble, their
/// grants and when they end, the requests waiting for their decision, and for platform admins the clusters in
/// trouble and the fleet's counts. A member never gets figures about other teams.
/// </summary>
public sealed record GetHome : IRequest<HomeView>
{
    /// <summary>Lists are short: the page links to the full list for the rest.</summary>
    public const int ListLimit = 20;
}

public sealed record HomeView(
    IReadOnlyList<HomeWorkspace> Workspaces,
    IReadOnlyList<HomeWorkload> UnhealthyWorkloads,
    IReadOnlyList<HomeGrant> Grants,
    HomeWaiting Waiting,
    IReadOnlyList<HomeCluster>? ClustersInTrouble,
    FleetCounts? Fleet);

public sealed record HomeWorkspace(Guid Id, string Name, string? Color, WorkspaceRole? Role, int ServiceMaps, IReadOnlyList<HomeAllocation> Clusters);

/// <summary>A workspace's share of one cluster: per resource, what its service maps hold of the quota.</summary>
public sealed record HomeAllocation(Guid ClusterId, string ClusterName, AssignmentMode Mode, IReadOnlyList<ResourceAllocation> Resources);

/// <summary>"cpu", "2", "4": amounts as Kubernetes quantities (memory and storage in binary units).</summary>
public sealed record ResourceAllocation(string Resource, string Allocated, string Quota);

public sealed record HomeWorkload(
    Guid Id, string Name, WorkloadKind Kind, string Namespace, Guid ServiceMapId, Guid WorkspaceId, string ClusterName,
    RolloutStatus Rollout, string? Message, DateTimeOffset Since);

public sealed record HomeGrant(
    Guid Id, string ClusterName, string? Namespace, AccessRole Role, GrantState State, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil);

/// <summary>Requests the caller may decide, with the first few of each kind; the inboxes hold the rest.</summary>
public sealed record HomeWaiting(int AccessRequests, int QuotaRequests, IReadOnlyList<HomeRequest> Items);

public sealed record HomeRequest(Guid Id, string Kind, string RequestedBy, string What, DateTimeOffset RequestedAt, string Link);

public sealed record HomeCluster(Guid Id, string Name, ClusterHealth Health, string? Detail, DateTimeOffset Since, DateTimeOffset? CredentialExpiresAt);

/// <summary>Platform-wide figures: for platform admins only.</summary>
public sealed record FleetCounts(
    int Users, int ActiveUsers, int Workspaces, IReadOnlyDictionary<ClusterHealth, int> Clusters, int Workloads, int UnhealthyWorkloads,
    long EventsToday);

public static class GetHomeHandler
{
    private static readonly RolloutStatus[] Unhealthy = [RolloutStatus.Stalled, RolloutStatus.Failed];

    public static async Task<Result<HomeView>> Handle(GetHome _, Actor actor, IQuerySession session, IEventLog log, TimeProvider clock,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var memberships = await TenancyAccess.MembershipsAsync(session, actor.UserId, ct);
        var workspaces = memberships.OrderBy(w => w.Name).Select(w => ToHome(w, actor)).ToList();
        var workloads = await UnhealthyWorkloadsAsync(session, actor, memberships, ct);
        var grants = await session.Query<AccessGrantView>()
            .Where(g => g.UserId == actor.UserId && g.RevokedAt == null && g.ExpiredAt == null && g.ValidUntil > now)
            .OrderBy(g => g.ValidUntil).Take(GetHome.ListLimit).ToListAsync(ct);
        var waiting = await WaitingAsync(session, actor, memberships, ct);
        if (!actor.IsPlatformAdmin)
            return new HomeView(workspaces, workloads, grants.Select(g => ToHome(g, now)).ToList(), waiting, null, null);

        var troubled = await session.Query<ClusterView>()
            .Where(c => c.Health != ClusterHealth.Connected || c.CredentialExpiryWarning)
            .OrderByDescending(c => c.HealthSince).Take(GetHome.ListLimit).ToListAsync(ct);
        return new HomeView(workspaces, workloads, grants.Select(g => ToHome(g, now)).ToList(), waiting,
            troubled.Select(c => new HomeCluster(c.Id, c.Name, c.Health, c.HealthDetail, c.HealthSince, c.CredentialExpiresAt)).ToList(),
            await FleetAsync(session, log, now, ct));
    }

    private static HomeWorkspace ToHome(WorkspaceView w, Actor actor) => new(
        w.Id, w.Name, w.Color, w.RoleOf(actor.UserId), w.ServiceMapCount,
        w.Clusters.OrderBy(c => c.ClusterName).Select(c =>
        {
            var allocated = c.Allocated();
            return new HomeAllocation(c.ClusterId, c.ClusterName, c.Mode, Quota.Resources
                .Select(r => new ResourceAllocation(r, QuotaTotals.Format(r, allocated[r]), QuotaTotals.Format(r, c.Quota.Amount(r))))
                .ToList());
        }).ToList());

    private static HomeGrant ToHome(AccessGrantView g, DateTimeOffset now) =>
        new(g.Id, g.ClusterName, g.Namespace, g.Role, g.StateAt(now), g.ValidFrom, g.ValidUntil);

    /// <summary>The caller's workspaces' workloads; platform admins answer for the fleet, so theirs are every workload.</summary>
    private static async Task<IReadOnlyList<HomeWorkload>> UnhealthyWorkloadsAsync(IQuerySession session, Actor actor,
        IReadOnlyList<WorkspaceView> memberships, CancellationToken ct)
    {
        var query = session.Query<WorkloadView>().Where(w => Unhealthy.Contains(w.Rollout));
        if (!actor.IsPlatformAdmin)
        {
            var ids = memberships.Select(w => w.Id).ToArray();
            query = query.Where(w => ids.Contains(w.WorkspaceId));
        }
        var workloads = await query.OrderByDescending(w => w.RolloutSince).Take(GetHome.ListLimit).ToListAsync(ct);
        if (workloads.Count == 0) return [];
        var clusterIds = workloads.Select(w => w.ClusterId).Distinct().ToArray();
        var names = (await session.LoadManyAsync<ClusterView>(ct, clusterIds)).ToDictionary(c => c.Id, c => c.Name);
        return workloads.Select(w => new HomeWorkload(w.Id, w.Name, w.Kind, w.Namespace, w.ServiceMapId, w.WorkspaceId,
            names.GetValueOrDefault(w.ClusterId, ""), w.Rollout, w.RolloutMessage, w.RolloutSince)).ToList();
    }

    /// <summary>
    /// Access requests go to whoever could grant that access (platform admins; workspace admins for their service
    /// maps); quota requests to platform admins. Nobody decides their own request here.
    /// </summary>
    private static async Task<HomeWaiting> WaitingAsync(IQuerySession session, Actor actor, IReadOnlyList<WorkspaceView> memberships,
        CancellationToken ct)
    {
        var access = session.Query<AccessRequestView>().Where(r => r.State == AccessRequestState.Pending && r.UserId != actor.UserId);
        if (!actor.IsPlatformAdmin)
        {
            var managed = memberships.Where(w => w.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin).Select(w => (Guid?)w.Id).ToArray();
            if (managed.Length == 0) return new HomeWaiting(0, 0, []);
            access = access.Where(r => r.Scope == AccessScope.ServiceMap && managed.Contains(r.WorkspaceId));
        }
        var accessCount = await access.CountAsync(ct);
        var accessItems = await access.OrderBy(r => r.RequestedAt).Take(5).ToListAsync(ct);
        var items = accessItems.Select(r => new HomeRequest(r.Id, "Access", r.UserName,
            $"{r.Role} on {(r.Scope == AccessScope.ServiceMap ? $"{r.ServiceMapName} ({r.ClusterName})" : r.ClusterName)}", r.RequestedAt,
            "/access/requests")).ToList();
        var quotaCount = 0;
        if (actor.IsPlatformAdmin)
        {
            var quota = session.Query<QuotaRequestView>().Where(r => r.State == QuotaRequestState.Pending);
            quotaCount = await quota.CountAsync(ct);
            items.AddRange((await quota.OrderBy(r => r.RequestedAt).Take(5).ToListAsync(ct)).Select(r => new HomeRequest(r.Id, "Quota",
                r.RequestedBy, $"more quota for {r.ServiceMapName ?? r.WorkspaceName} on {r.ClusterName}", r.RequestedAt, "/quota-requests")));
        }
        return new HomeWaiting(accessCount, quotaCount, items);
    }

    private static async Task<FleetCounts> FleetAsync(IQuerySession session, IEventLog log, DateTimeOffset now, CancellationToken ct)
    {
        var clusters = new Dictionary<ClusterHealth, int>();
        foreach (var health in Enum.GetValues<ClusterHealth>())
            clusters[health] = await session.Query<ClusterView>().CountAsync(c => c.Health == health, ct);
        var startOfDay = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return new FleetCounts(
            await session.Query<UserView>().CountAsync(ct),
            await session.Query<UserView>().CountAsync(u => u.Active, ct),
            await session.Query<WorkspaceView>().CountAsync(ct),
            clusters,
            await session.Query<WorkloadView>().CountAsync(ct),
            await session.Query<WorkloadView>().CountAsync(w => Unhealthy.Contains(w.Rollout), ct),
            await log.CountSinceAsync(startOfDay, ct));
    }
}
