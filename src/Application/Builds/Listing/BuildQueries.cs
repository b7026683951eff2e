using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Builds;
using Marten;

namespace Cocktail.Application.Builds.Listing;

public sealed record ListBuildDefinitions(Guid WorkspaceId) : IRequest<IReadOnlyList<BuildDefinitionView>>;

public sealed record GetBuildDefinition(Guid DefinitionId) : IRequest<BuildDefinitionView>;

/// <summary>A workspace's builds (of one definition when given), newest first.</summary>
public sealed record ListBuilds(Guid WorkspaceId, Guid? DefinitionId, int Page = 1, int PageSize = 50) : IRequest<Page<BuildView>>;

public sealed record GetBuild(Guid BuildId) : IRequest<BuildView>;

/// <summary>The build's log, followed while it runs.</summary>
public sealed record OpenBuildLog(Guid BuildId, bool Follow) : IRequest<BuildLog>;

public sealed record BuildLog(Stream Content, string JobName);

public static class BuildQueriesHandler
{
    public static async Task<Result<IReadOnlyList<BuildDefinitionView>>> Handle(ListBuildDefinitions query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        return Result<IReadOnlyList<BuildDefinitionView>>.Ok(await session.Query<BuildDefinitionView>()
            .Where(d => d.WorkspaceId == query.WorkspaceId).OrderBy(d => d.Name).ToListAsync(ct));
    }

    public static async Task<Result<BuildDefinitionView>> Handle(GetBuildDefinition query, Actor actor, IQuerySession session, CancellationToken ct) =>
        await BuildAccess.DefinitionAsync(session, actor, query.DefinitionId, null, ct);

    public static async Task<Result<Page<BuildView>>> Handle(ListBuilds query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        var builds = session.Query<BuildView>().Where(b => b.WorkspaceId == query.WorkspaceId);
        if (query.DefinitionId is { } definition) builds = builds.Where(b => b.DefinitionId == definition);
        return await Paging.ToPageAsync(builds.OrderByDescending(b => b.QueuedAt), query.Page, query.PageSize, ct);
    }

    public static async Task<Result<BuildView>> Handle(GetBuild query, Actor actor, IQuerySession session, CancellationToken ct) =>
        await BuildAccess.BuildAsync(session, actor, query.BuildId, null, ct);

    public static async Task<Result<BuildLog>> Handle(OpenBuildLog query, Actor actor, IQuerySession session, IBuildCluster builds, ICredentialVault vault,
        CancellationToken ct)
    {
        var build = await BuildAccess.BuildAsync(session, actor, query.BuildId, null, ct);
        if (build.Failure is { } denied) return denied;
        var b = build.Value!;
        if (b.ClusterId is not { } clusterId || b.JobName is null || b.Namespace is null)
            return Failure.Conflict(b.Status == BuildStatus.Queued ? "The build is queued; its log starts when it runs." : "The build never ran, so it has no log.");
        if (await session.LoadAsync<ClusterCredential>(clusterId, ct) is not { } credential) return Failure.NotFound("The build cluster is no longer registered.");
        var (log, problem) = await builds.OpenLogAsync(vault.Unprotect(credential.Protected), b.Namespace, b.JobName, query.Follow, ct);
        return log is null ? new Failure(FailureKind.Unavailable, problem ?? "The build's log cannot be read.") : new BuildLog(log, b.JobName);
    }
}
