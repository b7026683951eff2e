using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Pipelines.Approving;

/// <summary>The caller's approvals inbox: stages waiting for an approval the caller may give, oldest run first.</summary>
public sealed record ListPendingApprovals : IRequest<IReadOnlyList<PendingApproval>>;

public sealed record PendingApproval(
    Guid RunId, Guid PipelineId, string PipelineName, int RunNumber, Guid WorkspaceId, string WorkspaceName, string Stage, WorkspaceRole Role,
    RunTrigger Trigger, PipelineArtifact? Artifact, string QueuedBy, DateTimeOffset? StartedAt);

public static class ListPendingApprovalsHandler
{
    public static async Task<Result<IReadOnlyList<PendingApproval>>> Handle(ListPendingApprovals query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspaces = actor.IsPlatformAdmin
            ? await session.Query<WorkspaceView>().ToListAsync(ct)
            : await TenancyAccess.MembershipsAsync(session, actor.UserId, ct);
        var byId = workspaces.ToDictionary(w => w.Id);
        var ids = byId.Keys.ToArray();
        if (ids.Length == 0) return Result<IReadOnlyList<PendingApproval>>.Ok([]);
        var runs = await session.Query<PipelineRunView>()
            .Where(r => r.Status == RunStatus.Running && r.AwaitingApproval.Any() && r.WorkspaceId.IsOneOf(ids))
            .OrderBy(r => r.QueuedAt).Take(500).ToListAsync(ct);
        return Result<IReadOnlyList<PendingApproval>>.Ok(runs
            .SelectMany(r => r.AwaitingApproval.Select(stage => (Run: r, Stage: stage, Role: r.Definition.Stage(stage)?.ApprovalBy)))
            .Where(x => x.Role is { } role && Approvals.MayApprove(actor, byId[x.Run.WorkspaceId], role))
            .Select(x => new PendingApproval(x.Run.Id, x.Run.PipelineId, x.Run.PipelineName, x.Run.Number, x.Run.WorkspaceId, byId[x.Run.WorkspaceId].Name,
                x.Stage, x.Role!.Value, x.Run.Trigger, x.Run.Artifact, x.Run.QueuedBy, x.Run.StartedAt))
            .ToList());
    }
}
