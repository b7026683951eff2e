using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Releases;

/// <summary>
/// Who may see and change a release: cluster addons are the platform's (platform admins change them, auditors read
/// them); a team release belongs to its workspace (members read it, developers and workspace admins change it).
/// Someone who may not read a release is told it does not exist.
/// </summary>
public static class ReleaseAccess
{
    public static async Task<Result<ChartReleaseView>> LoadAsync(IQuerySession session, Actor actor, Guid releaseId, bool change, CancellationToken ct)
    {
        var view = await session.LoadAsync<ChartReleaseView>(releaseId, ct);
        if (view is null) return Failure.NotFound(ChartReleases.NotFound);
        if (view.WorkspaceId is not { } workspaceId)
        {
            if (!actor.CanReadEverything) return Failure.NotFound(ChartReleases.NotFound);
            if (change && !actor.IsPlatformAdmin) return Failure.Forbidden("Only platform admins change cluster addons.");
            return view;
        }
        var workspace = await TenancyAccess.LoadAsync(session, actor, workspaceId, change ? TenancyAccess.CanDeploy : null, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(ChartReleases.NotFound);
        return workspace.Failure is { } failure ? failure : view;
    }
}
