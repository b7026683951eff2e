using Cocktail.Application.Common;
using Cocktail.Application.Workloads.Reconciling;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Deleting;

public sealed record DeleteWorkload(Guid WorkloadId, string? Reason = null) : IRequest<Accepted>;

public static class DeleteWorkloadHandler
{
    /// <summary>The objects of the revision that was current go from the cluster; the message carries them, since the view is gone.</summary>
    public static Task<Result<Accepted>> Handle(DeleteWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, ImageScanning.Gating.ImageVerdicts images, CancellationToken ct) =>
        WorkloadChanges.ChangeAsync(session, actor, command.WorkloadId, null,
            w => w.Delete(command.Reason, actor.Ref, clock.GetUtcNow()),
            w => new RemoveWorkload(w.Id, w.ClusterId, w.Namespace, w.Current), messages, images, clock, ct);
}
