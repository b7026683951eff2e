using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Clusters.Registering;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Clusters.Unregistering;

/// <summary>
/// Stops watching a cluster and forgets its credentials and inventory; its history stays in the audit trail, with
/// the reason when one is given.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UnregisterCluster(Guid ClusterId, string? Reason = null) : IRequest<Accepted>;

public sealed class UnregisterClusterValidator : AbstractValidator<UnregisterCluster>
{
    public UnregisterClusterValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class UnregisterClusterHandler
{
    public static async Task<Result<Accepted>> Handle(UnregisterCluster command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var result = await AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, null,
            cluster => cluster.Unregister(command.Reason, actor.Ref, clock.GetUtcNow()), "No such cluster.", ct);
        if (!result.Succeeded) return result;
        session.Delete<ClusterCredential>(command.ClusterId);
        await messages.PublishAsync(new ClusterConnectionChanged(command.ClusterId));
        return result;
    }
}
