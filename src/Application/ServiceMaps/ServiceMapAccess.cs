using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.ServiceMaps;

public static class ServiceMapAccess
{
    public const string NoSuchServiceMap = "No such service map.";

    /// <summary>A service map the actor may read (through its workspace), or 404; 403 when the role is not enough.</summary>
    public static async Task<Result<ServiceMapView>> LoadAsync(IQuerySession session, Actor actor, Guid serviceMapId,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var map = await session.LoadAsync<ServiceMapView>(serviceMapId, ct);
        if (map is null) return Failure.NotFound(NoSuchServiceMap);
        var workspace = await TenancyAccess.LoadAsync(session, actor, map.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchServiceMap);
        return workspace.Failure is { } failure ? failure : map;
    }
}
