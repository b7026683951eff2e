using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.Deleting;

/// <summary>Deletes the cluster and its machines; <see cref="Confirm"/> is the cluster's name, typed by the caller.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record DeleteProvisionedCluster(Guid Id, string? Confirm, string? Reason = null, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class DeleteProvisionedClusterValidator : AbstractValidator<DeleteProvisionedCluster>
{
    public DeleteProvisionedClusterValidator()
    {
        RuleFor(x => x.Confirm).MaximumLength(253);
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class DeleteProvisionedClusterHandler
{
    public static Task<Result<Accepted>> Handle(DeleteProvisionedCluster command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.RequestDeletion(command.Confirm?.Trim(), actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}
