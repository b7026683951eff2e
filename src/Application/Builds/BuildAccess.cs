using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Builds;

public static class BuildAccess
{
    public const string NoSuchDefinition = "No such build definition.";
    public const string NoSuchBuild = "No such build.";

    public static async Task<Result<BuildDefinitionView>> DefinitionAsync(IQuerySession session, Actor actor, Guid id,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var definition = await session.LoadAsync<BuildDefinitionView>(id, ct);
        if (definition is null) return Failure.NotFound(NoSuchDefinition);
        var workspace = await TenancyAccess.LoadAsync(session, actor, definition.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchDefinition);
        return workspace.Failure is { } refused ? refused : definition;
    }

    public static async Task<Result<BuildView>> BuildAsync(IQuerySession session, Actor actor, Guid id,
        Func<Actor, WorkspaceView, bool>? allowed, CancellationToken ct)
    {
        var build = await session.LoadAsync<BuildView>(id, ct);
        if (build is null) return Failure.NotFound(NoSuchBuild);
        var workspace = await TenancyAccess.LoadAsync(session, actor, build.WorkspaceId, allowed, ct);
        if (workspace.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound(NoSuchBuild);
        return workspace.Failure is { } refused ? refused : build;
    }
}
