using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Policies;
using Marten;

namespace Cocktail.Application.Policies.ViewingWorkspacePolicy;

public sealed record GetWorkspacePolicy(Guid WorkspaceId) : IRequest<SecurityPolicyView>;

public static class GetWorkspacePolicyHandler
{
    public static async Task<Result<SecurityPolicyView>> Handle(GetWorkspacePolicy query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        return await session.LoadAsync<SecurityPolicyView>(PolicyStream.StreamIdFor(query.WorkspaceId), ct)
               ?? new SecurityPolicyView { Id = PolicyStream.StreamIdFor(query.WorkspaceId), TargetId = query.WorkspaceId, Scope = PolicyScope.Workspace };
    }
}
