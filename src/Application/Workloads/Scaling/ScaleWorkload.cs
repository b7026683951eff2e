using Cocktail.Application.Common;
using Cocktail.Application.Workloads.Reconciling;
using Cocktail.Domain.Workloads;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Scaling;

/// <summary>Manual replicas, or an autoscaler (min, max, CPU target) that becomes a HorizontalPodAutoscaler; null autoscaler removes it.</summary>
public sealed record ScaleWorkload(Guid WorkloadId, int? Replicas, AutoscalerSpec? Autoscaler, string? Reason = null) : IRequest<Accepted>;

public sealed class ScaleWorkloadValidator : AbstractValidator<ScaleWorkload>
{
    public ScaleWorkloadValidator()
    {
        RuleFor(x => x.Replicas).NotNull().When(x => x.Autoscaler is null).WithMessage("Give replicas or an autoscaler.");
        RuleFor(x => x.Replicas).InclusiveBetween(0, 1000).When(x => x.Replicas is not null).WithMessage("Replicas go from 0 to 1000.");
    }
}

public static class ScaleWorkloadHandler
{
    public static Task<Result<Accepted>> Handle(ScaleWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, ImageScanning.Gating.ImageVerdicts images, CancellationToken ct) =>
        WorkloadChanges.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.Scale(command.Replicas, command.Autoscaler, command.Reason, actor.Ref, clock.GetUtcNow()), w => new ReconcileWorkload(w.Id), messages, images, clock, ct);
}
