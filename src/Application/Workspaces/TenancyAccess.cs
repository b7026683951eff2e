using Cocktail.Application.Common;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Workspaces;

/// <summary>
/// Who may do what in a workspace. Someone who may not read a workspace is told it does not exist, so that ids
/// reveal nothing about other teams.
/// </summary>
public static class TenancyAccess
{
    public const string NoSuchWorkspace = "No such workspace.";

    public static bool CanRead(Actor actor, WorkspaceView workspace) =>
        actor.CanReadEverything || workspace.MemberIds.Contains(actor.UserId);

    /// <summary>Members, quotas and service-map settings: workspace admins and platform admins.</summary>
    public static bool CanManage(Actor actor, WorkspaceView workspace) =>
        actor.IsPlatformAdmin || workspace.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin;

    /// <summary>Creating service maps and running workloads: developers too.</summary>
    public static bool CanDeploy(Actor actor, WorkspaceView workspace) =>
        actor.IsPlatformAdmin || workspace.RoleOf(actor.UserId) is WorkspaceRole.WorkspaceAdmin or WorkspaceRole.Developer;

    /// <summary>Loads a workspace the actor may read, or the failure to answer (404 for strangers, 403 for too little role).</summary>
    public static async Task<Result<WorkspaceView>> LoadAsync(IQuerySession session, Actor actor, Guid workspaceId,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var workspace = await session.LoadAsync<WorkspaceView>(workspaceId, ct);
        if (workspace is null || !CanRead(actor, workspace)) return Failure.NotFound(NoSuchWorkspace);
        if (allowed is not null && !allowed(actor, workspace))
            return Failure.Forbidden("Your role in this workspace does not allow this.");
        return workspace;
    }

    public static async Task<IReadOnlyList<WorkspaceView>> MembershipsAsync(IQuerySession session, Guid userId, CancellationToken ct) =>
        await session.Query<WorkspaceView>().Where(w => w.MemberIds.Contains(userId)).ToListAsync(ct);
}
