using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Users;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.AccessGrants.Investigating;

/// <summary>
/// "Who could reach cluster X (or service map Y) at time T, with which role, granted by whom, approved by whom?" —
/// answered from the events as they stood at T (each stream rebuilt up to T), not from today's read models.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record WhoCouldAccess(Guid ClusterId, Guid? ServiceMapId, DateTimeOffset At) : IRequest<AccessAtTime>;

/// <summary>Admins: the platform admins at that time, who could reach every cluster through Cocktail itself.</summary>
public sealed record AccessAtTime(Guid ClusterId, string ClusterName, Guid? ServiceMapId, DateTimeOffset At, IReadOnlyList<AccessHolder> Holders,
    IReadOnlyList<PlatformAdminHolder>? Admins = null);

/// <summary>A platform admin at that time (active, with the role): every cluster, everything, through Cocktail.</summary>
public sealed record PlatformAdminHolder(Guid UserId, string UserName, string DisplayName);

/// <summary>One way a user could reach the cluster at that time: a grant, or a workspace role over a service map's namespace.</summary>
public sealed record AccessHolder(
    Guid UserId, string UserName, string Source, string? Namespace, string Role, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil,
    string? GrantedBy, string? ApprovedBy, string? RequestedBy, string? Reason, Guid? GrantId);

public static class WhoCouldAccessHandler
{
    public static async Task<Result<AccessAtTime>> Handle(WhoCouldAccess query, IQuerySession session, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct)
                      ?? await session.Events.AggregateStreamAsync<ClusterView>(query.ClusterId, token: ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var at = query.At;
        var holders = new List<AccessHolder>();
        holders.AddRange(await FromGrantsAsync(query, session, ct));
        holders.AddRange(await FromWorkspacesAsync(query, session, ct));
        return new AccessAtTime(cluster.Id, cluster.Name, query.ServiceMapId, at,
            holders.OrderBy(h => h.UserName).ThenBy(h => h.Source).ThenBy(h => h.Namespace).ToList(),
            await PlatformAdminsAsync(query.At, session, ct));
    }

    /// <summary>
    /// Who was a platform admin at T: anyone admin today or ever moved in or out of the role, each user's stream
    /// rebuilt up to T (an admin deactivated by then could not).
    /// </summary>
    private static async Task<IReadOnlyList<PlatformAdminHolder>> PlatformAdminsAsync(DateTimeOffset at, IQuerySession session, CancellationToken ct)
    {
        var today = await session.Query<UserView>().Where(u => u.Role == PlatformRole.PlatformAdmin && u.CreatedAt <= at)
            .Select(u => u.Id).ToListAsync(ct);
        var moved = await session.Events.QueryRawEventDataOnly<UserRoleChanged>()
            .Where(e => e.From == PlatformRole.PlatformAdmin || e.To == PlatformRole.PlatformAdmin).Select(e => e.UserId).ToListAsync(ct);
        var admins = new List<PlatformAdminHolder>();
        foreach (var id in today.Concat(moved).Distinct())
        {
            var user = await session.Events.AggregateStreamAsync<User>(id, timestamp: at, token: ct);
            if (user is { Role: PlatformRole.PlatformAdmin, Active: true }) admins.Add(new PlatformAdminHolder(user.Id, user.UserName, user.DisplayName));
        }
        return admins.OrderBy(a => a.UserName, StringComparer.Ordinal).ToList();
    }

    private static async Task<IEnumerable<AccessHolder>> FromGrantsAsync(WhoCouldAccess query, IQuerySession session, CancellationToken ct)
    {
        // Which grants exist, and what they were granted as (never changed afterwards), is taken from the read model
        // (grants are never deleted from it); whether each was revoked or expired by T from its events as of T.
        var candidates = await session.Query<AccessGrantView>()
            .Where(g => g.ClusterId == query.ClusterId && g.ValidFrom <= query.At && g.ValidUntil > query.At).ToListAsync(ct);
        var holders = new List<AccessHolder>();
        foreach (var granted in candidates)
        {
            if (query.ServiceMapId is { } mapId && granted.Scope == AccessScope.ServiceMap && granted.ServiceMapId != mapId) continue;
            var grant = await session.Events.AggregateStreamAsync<AccessGrant>(granted.Id, timestamp: query.At, token: ct);
            if (grant is null || grant.Revoked || grant.Expired) continue;
            holders.Add(new AccessHolder(granted.UserId, granted.UserName, $"grant ({granted.Scope})", granted.Namespace,
                granted.Role.ClusterRoleName(), granted.ValidFrom, granted.ValidUntil, granted.GrantedBy,
                granted.RequestId is null ? null : granted.GrantedBy, granted.RequestId is null ? null : granted.UserName,
                granted.Reason, granted.Id));
        }
        return holders;
    }

    /// <summary>Workspace members reach their service maps' namespaces through RoleBindings: admin, edit or view.</summary>
    private static async Task<IEnumerable<AccessHolder>> FromWorkspacesAsync(WhoCouldAccess query, IQuerySession session, CancellationToken ct)
    {
        var allocation = await session.Events.AggregateStreamAsync<ClusterAllocation>(ClusterAllocation.StreamIdFor(query.ClusterId),
            timestamp: query.At, token: ct);
        if (allocation is null) return [];
        var holders = new List<AccessHolder>();
        foreach (var workspaceMaps in allocation.ServiceMaps.Values.GroupBy(s => s.WorkspaceId))
        {
            var workspace = await session.Events.AggregateStreamAsync<Workspace>(workspaceMaps.Key, timestamp: query.At, token: ct);
            if (workspace is null || workspace.Deleted) continue;
            foreach (var map in workspaceMaps.Where(m => query.ServiceMapId is null || m.ServiceMapId == query.ServiceMapId))
            foreach (var member in workspace.Members.Values)
            {
                var role = ServiceMapManifest.ClusterRoleFor(member.Role);
                holders.Add(new AccessHolder(member.UserId, member.UserName, $"workspace {workspace.Name} ({member.Role})", map.Namespace,
                    role, null, null, null, null, null, null, null));
            }
        }
        return holders;
    }
}
