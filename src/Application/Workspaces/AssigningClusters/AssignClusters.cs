using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.AssigningClusters;

/// <summary>Gives a workspace a cluster, dedicated or shared, with an aggregate quota there.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record AssignCluster(Guid WorkspaceId, Guid ClusterId, AssignmentMode Mode, Quota? Quota) : IRequest<Accepted>;

/// <summary>Changes the mode or the quota of an assignment; the quota may not fall below what service maps hold.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeClusterAssignment(Guid WorkspaceId, Guid ClusterId, AssignmentMode Mode, Quota? Quota) : IRequest<Accepted>;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UnassignCluster(Guid WorkspaceId, Guid ClusterId) : IRequest<Accepted>;

public sealed class AssignClusterValidator : AbstractValidator<AssignCluster>
{
    public AssignClusterValidator()
    {
        RuleFor(x => x.Mode).IsInEnum().WithMessage("Mode is Dedicated or Shared.");
        RuleFor(x => x.Quota).ValidQuota();
    }
}

public sealed class ChangeClusterAssignmentValidator : AbstractValidator<ChangeClusterAssignment>
{
    public ChangeClusterAssignmentValidator()
    {
        RuleFor(x => x.Mode).IsInEnum().WithMessage("Mode is Dedicated or Shared.");
        RuleFor(x => x.Quota).ValidQuota();
    }
}

internal static class Allocations
{
    /// <summary>The cluster's allocation stream, and the state to decide on (empty before the first assignment).</summary>
    public static async Task<(JasperFx.Events.IEventStream<ClusterAllocation> Stream, ClusterAllocation State)> FetchAsync(
        IDocumentSession session, Guid clusterId, string clusterName, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(clusterId), ct);
        return (stream, stream.Aggregate ?? ClusterAllocation.Empty(clusterId, clusterName));
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
        var decision = allocation.Assign(workspace.Id, workspace.Name, command.Mode, command.Quota!, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(workspace.Id, workspace.Version);
    }
}

public static class ChangeClusterAssignmentHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeClusterAssignment command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null || await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct) is null)
            return Failure.NotFound("No such workspace or cluster.");
        var (stream, allocation) = await Allocations.FetchAsync(session, cluster.Id, cluster.Name, ct);
        var decision = allocation.ChangeAssignment(command.WorkspaceId, command.Mode, command.Quota!, null, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(command.WorkspaceId, 0);
    }
}

public static class UnassignClusterHandler
{
    public static async Task<Result<Accepted>> Handle(UnassignCluster command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var (stream, allocation) = await Allocations.FetchAsync(session, cluster.Id, cluster.Name, ct);
        var decision = allocation.Unassign(command.WorkspaceId, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(command.WorkspaceId, 0);
    }
}
