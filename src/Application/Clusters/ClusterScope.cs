using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
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
}
