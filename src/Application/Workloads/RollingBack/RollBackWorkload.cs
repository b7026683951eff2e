using Cocktail.Application.Common;
using Cocktail.Application.Workloads.Reconciling;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.RollingBack;

/// <summary>Restores revision N's spec, as a new revision.</summary>
public sealed record RollBackWorkload(Guid WorkloadId, int Revision, string? Reason = null) : IRequest<Accepted>;

public sealed class RollBackWorkloadValidator : AbstractValidator<RollBackWorkload>
{
    public RollBackWorkloadValidator() => RuleFor(x => x.Revision).GreaterThan(0).WithMessage("Revisions start at 1.");
}

public static class RollBackWorkloadHandler
{
    /// <summary>The restored spec must meet today's policy: a revision that now breaks it is not brought back.</summary>
    public static Task<Result<Accepted>> Handle(RollBackWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, ImageScanning.Gating.ImageVerdicts images, CancellationToken ct) =>
        WorkloadChanges.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.RollBack(command.Revision, command.Reason, actor.Ref, clock.GetUtcNow()), w => new ReconcileWorkload(w.Id), messages, images, clock, ct);
}
