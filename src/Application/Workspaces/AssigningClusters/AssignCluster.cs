using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.AssigningClusters;

/// <summary>
/// Gives a workspace a cluster, dedicated or shared, with an aggregate quota there. <c>MaxPodSecurity</c> is the
/// loosest Pod Security level its service maps may have there (default: baseline when shared, privileged when dedicated).
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record AssignCluster(Guid WorkspaceId, Guid ClusterId, AssignmentMode Mode, Quota? Quota, PodSecurityLevel? MaxPodSecurity = null)
    : IRequest<Accepted>;

public sealed class AssignClusterValidator : AbstractValidator<AssignCluster>
{
    public AssignClusterValidator()
    {
        RuleFor(x => x.Mode).IsInEnum().WithMessage("Mode is Dedicated or Shared.");
        RuleFor(x => x.Quota).ValidQuota();
        RuleFor(x => x.MaxPodSecurity).IsInEnum().WithMessage("maxPodSecurity is privileged, baseline or restricted.");
    }
}

public static class AssignClusterHandler
{
    public static async Task<Result<Accepted>> Handle(AssignCluster command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct);
        if (workspace is null) return Failure.NotFound(TenancyAccess.NoSuchWorkspace);
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");

        var (stream, allocation) = await Allocations.FetchAsync(session, cluster.Id, cluster.Name, ct);
        var now = clock.GetUtcNow();
        var decision = allocation.Assign(workspace.Id, workspace.Name, command.Mode, command.Quota!, actor.Ref, now);
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        if (command.MaxPodSecurity is { } max)
        {
            var assigned = decision.Events.OfType<ClusterAssignedToWorkspace>().Aggregate(allocation, (state, e) => state.Apply(e));
            stream.AppendMany(assigned.ChangePodSecurityCeiling(workspace.Id, max, actor.Ref, now).Events.ToArray());
        }
        return new Accepted(workspace.Id, workspace.Version);
    }
}
