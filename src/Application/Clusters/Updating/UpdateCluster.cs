using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Clusters.Updating;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UpdateCluster(Guid ClusterId, string? Region, Dictionary<string, string>? Labels, long? ExpectedVersion = null)
    : IRequest<Accepted>;

public sealed class UpdateClusterValidator : AbstractValidator<UpdateCluster>
{
    public UpdateClusterValidator()
    {
        RuleFor(x => x.Region).MaximumLength(63);
        RuleFor(x => x.Labels).ValidLabels();
    }
}

public static class UpdateClusterHandler
{
    public static async Task<Result<Accepted>> Handle(UpdateCluster command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var current = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (current is null) return Failure.NotFound("No such cluster.");
        var result = await AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, command.ExpectedVersion,
            cluster => cluster.ChangeDetails(command.Region ?? current.Region, command.Labels ?? current.Labels, actor.Ref,
                clock.GetUtcNow()), "No such cluster.", ct);
        if (result.Succeeded) await messages.PublishAsync(new RefreshInventoryDetails(command.ClusterId));
        return result;
    }
}

/// <summary>
/// Published with the change, handled once it has committed (Wolverine's outbox): the inventory picks up the new
/// region and labels. Named as a command so it is not taken for the domain event <see cref="ClusterDetailsChanged"/>;
/// messages already stored carry the old name.
/// </summary>
[MessageIdentity("Cocktail.Application.Clusters.Updating.ClusterDetailsChanged")]
public sealed record RefreshInventoryDetails(Guid ClusterId);

public static class RefreshInventoryDetailsHandler
{
    public static Task Handle(RefreshInventoryDetails message, IInventoryControl inventory, CancellationToken ct) =>
        inventory.DetailsChangedAsync(message.ClusterId, ct);
}
