using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.UnassigningClusters;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UnassignCluster(Guid WorkspaceId, Guid ClusterId, string? Reason = null) : IRequest<Accepted>;

public sealed class UnassignClusterValidator : AbstractValidator<UnassignCluster>
{
    public UnassignClusterValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class UnassignClusterHandler
{
    public static async Task<Result<Accepted>> Handle(UnassignCluster command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var (stream, allocation) = await Allocations.FetchAsync(session, cluster.Id, cluster.Name, ct);
        var decision = allocation.Unassign(command.WorkspaceId, command.Reason, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(command.WorkspaceId, 0);
    }
}
