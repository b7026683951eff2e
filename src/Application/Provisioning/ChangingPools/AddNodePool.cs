using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.ChangingPools;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record AddNodePool(Guid Id, NodePoolInput Pool, string? Reason = null, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class AddNodePoolValidator : AbstractValidator<AddNodePool>
{
    public AddNodePoolValidator()
    {
        RuleFor(x => x.Pool).NotNull().WithMessage("Describe the pool to add.");
        RuleFor(x => x.Pool).Custom((pool, context) =>
        {
            if (pool is null) return;
            foreach (var failure in new NodePoolInputValidator().Validate(pool).Errors)
                context.AddFailure(new FluentValidation.Results.ValidationFailure(failure.PropertyName, failure.ErrorMessage));
        });
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class AddNodePoolHandler
{
    public static Task<Result<Accepted>> Handle(AddNodePool command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.AddPool(command.Pool.ToSpec(), actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}

/// <summary>Removes a pool: its machines are drained and deleted by Cluster API once the reconciler deletes its objects.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RemoveNodePool(Guid Id, string Pool, string? Reason = null, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class RemoveNodePoolValidator : AbstractValidator<RemoveNodePool>
{
    public RemoveNodePoolValidator()
    {
        RuleFor(x => x.Pool).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class RemoveNodePoolHandler
{
    public static Task<Result<Accepted>> Handle(RemoveNodePool command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.RemovePool(command.Pool, actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}
