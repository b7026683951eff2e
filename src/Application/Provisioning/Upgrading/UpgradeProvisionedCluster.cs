using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.Upgrading;

/// <summary>One minor version at a time, never down: the control plane first, then each pool in order.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UpgradeProvisionedCluster(Guid Id, string Version, string? Reason = null, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class UpgradeProvisionedClusterValidator : AbstractValidator<UpgradeProvisionedCluster>
{
    public UpgradeProvisionedClusterValidator()
    {
        RuleFor(x => x.Version).NotEmpty().WithMessage("Choose the version to upgrade to, such as v1.34.0.").MaximumLength(64);
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class UpgradeProvisionedClusterHandler
{
    public static Task<Result<Accepted>> Handle(UpgradeProvisionedCluster command, Actor actor, IDocumentSession session,
        TimeProvider clock, CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.RequestUpgrade(command.Version.Trim(), actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}
