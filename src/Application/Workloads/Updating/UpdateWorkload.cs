using Cocktail.Application.Common;
using Cocktail.Application.Workloads.Reconciling;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Updating;

/// <summary>Replaces the spec (a new revision); name and kind stay.</summary>
public sealed record UpdateWorkload(Guid WorkloadId, WorkloadSpec? Spec, string? Yaml, string? Reason = null, long? ExpectedRevision = null) : IRequest<Accepted>;

public static class UpdateWorkloadHandler
{
    public static async Task<Result<Accepted>> Handle(UpdateWorkload command, Actor actor, IDocumentSession session, IWorkloadYaml yaml,
        IMessageContext messages, TimeProvider clock, ImageScanning.Gating.ImageVerdicts images, CancellationToken ct)
    {
        var spec = WorkloadChecks.Resolve(command.Spec, command.Yaml, yaml);
        if (spec.Failure is { } unreadable) return unreadable;
        return await WorkloadChanges.ChangeAsync(session, actor, command.WorkloadId, command.ExpectedRevision,
            w => w.Update(spec.Value!, command.Reason, actor.Ref, clock.GetUtcNow()), w => new ReconcileWorkload(w.Id), messages, images, clock, ct);
    }
}
