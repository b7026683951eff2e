using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workspaces.ChangingClusterAssignments;

/// <summary>
/// Changes the mode or the quota of an assignment; the quota may not fall below what service maps hold. A
/// <c>MaxPodSecurity</c> given sets the assignment's Pod Security ceiling; left out, the ceiling stays as it is.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeClusterAssignment(Guid WorkspaceId, Guid ClusterId, AssignmentMode Mode, Quota? Quota, PodSecurityLevel? MaxPodSecurity = null)
    : IRequest<Accepted>;

public sealed class ChangeClusterAssignmentValidator : AbstractValidator<ChangeClusterAssignment>
{
    public ChangeClusterAssignmentValidator()
    {
        RuleFor(x => x.Mode).IsInEnum().WithMessage("Mode is Dedicated or Shared.");
        RuleFor(x => x.Quota).ValidQuota();
        RuleFor(x => x.MaxPodSecurity).IsInEnum().WithMessage("maxPodSecurity is privileged, baseline or restricted.");
    }
}

public static class ChangeClusterAssignmentHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeClusterAssignment command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null || await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct) is null)
            return Failure.NotFound("No such workspace or cluster.");
        var (stream, allocation) = await Allocations.FetchAsync(session, cluster.Id, cluster.Name, ct);
        var now = clock.GetUtcNow();
        var decision = allocation.ChangeAssignment(command.WorkspaceId, command.Mode, command.Quota!, null, actor.Ref, now);
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        IReadOnlyList<object> appendedCeiling = [];
        if (command.MaxPodSecurity is { } max)
        {
            var ceiling = allocation.ChangePodSecurityCeiling(command.WorkspaceId, max, actor.Ref, now);
            if (ceiling.Error is { } refused) return refused;
            stream.AppendMany(ceiling.Events.ToArray());
            appendedCeiling = ceiling.Events;
        }
        // A map above a lowered ceiling (or on a cluster no longer dedicated) comes down to it, and the cluster follows.
        var after = allocation;
        foreach (var e in decision.Events.Concat(appendedCeiling)) after = e switch
        {
            WorkspaceAssignmentChanged changed => after.Apply(changed),
            AssignmentPodSecurityCeilingChanged ceilingChanged => after.Apply(ceilingChanged),
            _ => after,
        };
        if (after.PodSecurityCeiling(command.WorkspaceId) is { } newCeiling)
            await HoldToCeilingAsync(session, command.WorkspaceId, cluster.Id, newCeiling, actor, now, ct);
        if (decision.Events.Count > 0 || command.MaxPodSecurity is not null)
            await messages.PublishAsync(new ReconcileWorkspaceServiceMaps(command.WorkspaceId));
        return new Accepted(command.WorkspaceId, 0);
    }

    private static async Task HoldToCeilingAsync(IDocumentSession session, Guid workspaceId, Guid clusterId, PodSecurityLevel ceiling, Actor actor,
        DateTimeOffset now, CancellationToken ct)
    {
        var maps = await session.Query<ServiceMaps.ServiceMapView>().Where(m => m.WorkspaceId == workspaceId && m.ClusterId == clusterId)
            .Select(m => m.Id).ToListAsync(ct);
        foreach (var id in maps)
        {
            var map = await session.Events.FetchForWriting<ServiceMap>(id, ct);
            if (map.Aggregate is { } current) map.AppendMany(current.HoldToCeiling(ceiling, actor.Ref, now).Events.ToArray());
        }
    }
}
