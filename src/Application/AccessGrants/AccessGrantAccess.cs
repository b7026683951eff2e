using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.AccessGrants;

/// <summary>
/// Platform admins grant anything; a workspace admin grants (and approves, and revokes) access to the workspace's
/// own service maps only, never cluster-wide. Grantees see and give back their own grants.
/// </summary>
public static class AccessGrantAccess
{
    public const string NoSuchGrant = "No such access grant.";

    public static async Task<bool> CanGrantAsync(Actor actor, AccessScope scope, Guid? workspaceId, IQuerySession session, CancellationToken ct)
    {
        if (actor.IsPlatformAdmin) return true;
        if (scope != AccessScope.ServiceMap || workspaceId is not { } id) return false;
        var workspace = await session.LoadAsync<WorkspaceView>(id, ct);
        return workspace?.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin;
    }

    public static async Task<bool> CanSeeAsync(Actor actor, AccessGrantView grant, IQuerySession session, CancellationToken ct) =>
        actor.CanReadEverything || grant.UserId == actor.UserId || await CanGrantAsync(actor, grant.Scope, grant.WorkspaceId, session, ct);

    /// <summary>A grant the actor may see, or 404.</summary>
    public static async Task<Result<AccessGrantView>> LoadAsync(Actor actor, Guid grantId, IQuerySession session, CancellationToken ct)
    {
        var grant = await session.LoadAsync<AccessGrantView>(grantId, ct);
        return grant is not null && await CanSeeAsync(actor, grant, session, ct) ? grant : Failure.NotFound(NoSuchGrant);
    }
}
