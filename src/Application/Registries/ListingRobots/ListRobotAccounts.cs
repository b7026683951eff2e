using Cocktail.Application.Common;
using Cocktail.Application.Registries.Robots;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Registries.ListingRobots;

/// <summary>A workspace's robot accounts, newest first (members read them; there is no secret in them).</summary>
public sealed record ListRobotAccounts(Guid WorkspaceId, bool IncludeEnded = true) : IRequest<IReadOnlyList<RobotAccountView>>;

public static class ListRobotAccountsHandler
{
    public static async Task<Result<IReadOnlyList<RobotAccountView>>> Handle(ListRobotAccounts query, Actor actor, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var robots = await session.Query<RobotAccountView>().Where(r => r.WorkspaceId == query.WorkspaceId)
            .OrderByDescending(r => r.CreatedAt).Take(500).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return robots.Where(r => query.IncludeEnded || r.IsUsableAt(now)).ToList();
    }
}
