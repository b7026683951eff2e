using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;

namespace Cocktail.Application.QuotaRequests.Requesting;

/// <summary>A member asks for a new quota: the workspace's on a cluster, or one service map's when it is named.</summary>
public sealed record RequestQuota(Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId, Quota? Quota, string Reason) : IRequest<Accepted>;

public sealed class RequestQuotaValidator : AbstractValidator<RequestQuota>
{
    public RequestQuotaValidator()
    {
        RuleFor(x => x.Quota).ValidQuota();
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the quota is needed.").MaximumLength(1000);
    }
}

public static class RequestQuotaHandler
{
    public static async Task<Result<Accepted>> Handle(RequestQuota command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } failure) return failure;
        var cluster = workspace.Value!.Cluster(command.ClusterId);
        if (cluster is null) return Failure.Invalid("The workspace has no quota on that cluster to raise.", "clusterId");

        var current = cluster.Quota;
        string? mapName = null;
        if (command.ServiceMapId is { } mapId)
        {
            var map = await ServiceMapAccess.LoadAsync(session, actor, mapId, null, ct);
            if (map.Failure is { } missing || map.Value!.WorkspaceId != command.WorkspaceId || map.Value.ClusterId != command.ClusterId)
                return Failure.Invalid("No such service map in this workspace on that cluster.", "serviceMapId");
            current = map.Value.Quota;
            mapName = map.Value.Name;
        }

        var id = Guid.CreateVersion7();
        var decision = QuotaRequest.Open(id, workspace.Value.Id, workspace.Value.Name, cluster.ClusterId, cluster.ClusterName,
            command.ServiceMapId, mapName, current, command.Quota!, command.Reason, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<QuotaRequest>(id, decision.Events.ToArray());
        return new Accepted(id, 1);
    }
}
