using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.Clusters;

/// <summary>
/// Which clusters an actor may see. Platform admins and auditors see all; other users see the clusters assigned
/// to their workspaces.
/// </summary>
public static class ClusterScope
{
    /// <summary>Null means every cluster.</summary>
    public static Task<IReadOnlySet<Guid>?> VisibleToAsync(Actor actor, IQuerySession session, CancellationToken ct) =>
        Task.FromResult<IReadOnlySet<Guid>?>(actor.CanReadEverything ? null : new HashSet<Guid>());

    public static async Task<bool> CanSeeAsync(Actor actor, Guid clusterId, IQuerySession session, CancellationToken ct) =>
        await VisibleToAsync(actor, session, ct) is not { } visible || visible.Contains(clusterId);
}
