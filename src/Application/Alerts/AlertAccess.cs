using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Alerts;

/// <summary>
/// Who sees and changes which alerts: a workspace's members read its alerts, its admins and developers acknowledge
/// and silence them, its admins write its rules; the platform's alerts and rules (no workspace) are for platform
/// admins, and auditors read everything. A workspace the caller may not read is "not found".
/// </summary>
public static class AlertAccess
{
    public enum Need { Read, Respond, WriteRules }

    public static async Task<Failure?> CheckAsync(IQuerySession session, Actor actor, Guid? workspaceId, Need need, CancellationToken ct)
    {
        if (workspaceId is not { } id)
        {
            if (need == Need.Read ? actor.CanReadEverything : actor.IsPlatformAdmin) return null;
            return need == Need.Read && !actor.CanReadEverything ? Failure.Forbidden("Platform alerts are for platform admins.") : Failure.Forbidden();
        }
        Func<Actor, WorkspaceView, bool>? allowed = need switch
        {
            Need.Read => null,
            Need.Respond => TenancyAccess.CanDeploy,
            _ => TenancyAccess.CanManage,
        };
        var workspace = await TenancyAccess.LoadAsync(session, actor, id, allowed, ct);
        return workspace.Failure;
    }
}
