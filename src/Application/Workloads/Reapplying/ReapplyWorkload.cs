using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads.Reconciling;
using Cocktail.Application.Workspaces;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Reapplying;

/// <summary>Applies the spec of record again, putting back what was changed on the cluster by hand (drift).</summary>
public sealed record ReapplyWorkload(Guid WorkloadId) : IRequest<Accepted>;

public static class ReapplyWorkloadHandler
{
    public static async Task<Result<Accepted>> Handle(ReapplyWorkload command, Actor actor, IDocumentSession session, IMessageContext messages,
        CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(command.WorkloadId, ct);
        if (view is null) return Failure.NotFound("No such workload.");
        var map = await ServiceMapAccess.LoadAsync(session, actor, view.ServiceMapId, TenancyAccess.CanDeploy, ct);
        if (map.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound("No such workload.");
        if (map.Failure is { } denied) return denied;
        await messages.PublishAsync(new ReconcileWorkload(view.Id));
        return new Accepted(view.Id, view.Revision);
    }
}
