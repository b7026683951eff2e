using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.Deleting;

/// <summary>Only an empty workspace goes; its cluster assignments are released with it.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record DeleteWorkspace(Guid WorkspaceId, string? Reason = null) : IRequest<Accepted>;

public sealed class DeleteWorkspaceValidator : AbstractValidator<DeleteWorkspace>
{
    public DeleteWorkspaceValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class DeleteWorkspaceHandler
{
    public static async Task<Result<Accepted>> Handle(DeleteWorkspace command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct);
        if (view is null) return Failure.NotFound(TenancyAccess.NoSuchWorkspace);
        var now = clock.GetUtcNow();
        var result = await AggregateStreams.DecideAsync<Workspace>(session, command.WorkspaceId, null,
            w => w.Delete(view.ServiceMapCount, command.Reason, actor.Ref, now), TenancyAccess.NoSuchWorkspace, ct);
        if (!result.Succeeded) return result;
        foreach (var cluster in view.Clusters)
        {
            var stream = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(cluster.ClusterId), ct);
            if (stream.Aggregate is { } allocation)
                stream.AppendMany(allocation.Unassign(view.Id, $"workspace {view.Name} deleted", actor.Ref, now).Events.ToArray());
        }
        return result;
    }
}
