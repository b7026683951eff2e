using Cocktail.Application.Common;
using Cocktail.Domain.Provisioning;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.ScalingPools;

/// <summary>Sets a pool's node count (within its autoscaler bounds, when it has them).</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ScaleNodePool(Guid Id, string Pool, int Replicas, string? Reason = null, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class ScaleNodePoolValidator : AbstractValidator<ScaleNodePool>
{
    public ScaleNodePoolValidator()
    {
        RuleFor(x => x.Pool).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Replicas).InclusiveBetween(0, NodePoolSpec.MaxReplicas).WithMessage($"Between 0 and {NodePoolSpec.MaxReplicas} nodes.");
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class ScaleNodePoolHandler
{
    public static Task<Result<Accepted>> Handle(ScaleNodePool command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.ScalePool(command.Pool, command.Replicas, actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}

/// <summary>Sets (both bounds) or clears (neither) the cluster autoscaler's bounds of a pool.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record SetNodePoolAutoscaling(Guid Id, string Pool, int? MinSize, int? MaxSize, string? Reason = null, long? ExpectedVersion = null)
    : IRequest<Accepted>;

public sealed class SetNodePoolAutoscalingValidator : AbstractValidator<SetNodePoolAutoscaling>
{
    public SetNodePoolAutoscalingValidator()
    {
        RuleFor(x => x.Pool).NotEmpty().MaximumLength(63);
        RuleFor(x => x.MinSize).InclusiveBetween(0, NodePoolSpec.MaxReplicas).When(x => x.MinSize is not null);
        RuleFor(x => x.MaxSize).InclusiveBetween(1, NodePoolSpec.MaxReplicas).When(x => x.MaxSize is not null);
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class SetNodePoolAutoscalingHandler
{
    public static Task<Result<Accepted>> Handle(SetNodePoolAutoscaling command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        ProvisionedClusters.DecideAsync(session, command.Id, command.ExpectedVersion,
            c => c.SetAutoscaling(command.Pool, command.MinSize, command.MaxSize, actor.Ref, clock.GetUtcNow(), ProvisionedClusters.Reason(command.Reason)), ct);
}
