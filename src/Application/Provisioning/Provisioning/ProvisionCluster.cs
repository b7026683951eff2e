using Cocktail.Application.Common;
using Cocktail.Domain.Provisioning;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.Provisioning;

/// <summary>
/// Asks for a new cluster on a management cluster. Only a request that passes every check is recorded
/// (<see cref="ClusterRequests.PrepareAsync"/>); the reconciler applies the objects once it is committed.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ProvisionCluster(Guid ManagementClusterId, ClusterBlueprintInput Blueprint, string? Reason = null) : IRequest<Accepted>;

public sealed class ProvisionClusterValidator : AbstractValidator<ProvisionCluster>
{
    public ProvisionClusterValidator()
    {
        RuleFor(x => x.ManagementClusterId).NotEmpty().WithMessage("Choose the management cluster.");
        RuleFor(x => x.Blueprint).ValidBlueprint();
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class ProvisionClusterHandler
{
    public static async Task<Result<Accepted>> Handle(ProvisionCluster command, Actor actor, IDocumentSession session,
        IClusterApiGateway gateway, TimeProvider clock, CancellationToken ct)
    {
        var prepared = await ClusterRequests.PrepareAsync(command.ManagementClusterId, command.Blueprint, session, gateway, ct);
        if (prepared.Failure is { } failure) return failure;
        var (management, discovery, blueprint, _) = prepared.Value!;

        var id = Guid.CreateVersion7();
        var decision = ProvisionedCluster.Request(id, management.Id, management.Name, blueprint, discovery.Infrastructures,
            discovery.ClusterClassesServed, actor.Ref, clock.GetUtcNow(), command.Reason);
        if (decision.Error is { } error) return error;
        session.Events.StartStream<ProvisionedCluster>(id, decision.Events.ToArray());
        return new Accepted(id, decision.Events.Count);
    }
}
