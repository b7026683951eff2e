using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Clusters;

/// <summary>
/// Which clusters an actor may see. Platform admins and auditors see all; other users see the clusters assigned
/// to the workspaces they are members of.
/// </summary>
public static class ClusterScope
{
    /// <summary>Null means every cluster.</summary>
    public static async Task<IReadOnlySet<Guid>?> VisibleToAsync(Actor actor, IQuerySession session, CancellationToken ct)
    {
        if (actor.CanReadEverything) return null;
        var workspaces = await TenancyAccess.MembershipsAsync(session, actor.UserId, ct);
        return workspaces.SelectMany(w => w.Clusters).Select(c => c.ClusterId).ToHashSet();
    }

    public static async Task<bool> CanSeeAsync(Actor actor, Guid clusterId, IQuerySession session, CancellationToken ct) =>
        await VisibleToAsync(actor, session, ct) is not { } visible || visible.Contains(clusterId);

    /// <summary>
    /// How much of a cluster's inventory the actor may read. A shared cluster carries other teams' namespaces,
    /// pods, images and events, so a member sees only the namespaces of their own workspaces' service maps there
    /// (and the nodes as capacity); a cluster dedicated to one of their workspaces is theirs in full.
    /// </summary>
    public static async Task<InventoryScope> InventoryScopeAsync(Actor actor, Guid clusterId, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(clusterId, ct) is null) return InventoryScope.None;
        if (actor.CanReadEverything) return InventoryScope.Full;
        var workspaces = (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct))
            .Where(w => w.Cluster(clusterId) is not null).ToList();
        if (workspaces.Count == 0) return InventoryScope.None;
        if (workspaces.Any(w => w.Cluster(clusterId)!.Mode == AssignmentMode.Dedicated)) return InventoryScope.Full;
        var ids = workspaces.Select(w => w.Id).ToArray();
        var namespaces = await session.Query<ServiceMapView>()
            .Where(m => m.ClusterId == clusterId && ids.Contains(m.WorkspaceId))
            .Select(m => m.Namespace).ToListAsync(ct);
        return InventoryScope.Only(namespaces);
    }
}

/// <summary>Everything of a cluster, only some namespaces of it (nodes as capacity only), or nothing.</summary>
public sealed record InventoryScope(bool Visible, IReadOnlySet<string>? Namespaces)
{
    public static readonly InventoryScope Full = new(true, null);
    public static readonly InventoryScope None = new(false, null);
    public static InventoryScope Only(IEnumerable<string> namespaces) => new(true, namespaces.ToHashSet(StringComparer.Ordinal));

    public bool IsFull => Visible && Namespaces is null;

    /// <summary>False when the caller asked for a namespace outside the scope: the answer is then empty.</summary>
    public bool Allows(string? @namespace) =>
        Namespaces is null || string.IsNullOrWhiteSpace(@namespace) || Namespaces.Contains(@namespace);
}
