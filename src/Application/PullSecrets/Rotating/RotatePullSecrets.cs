using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets.Reconciling;
using Wolverine;

namespace Cocktail.Application.PullSecrets.Rotating;

/// <summary>
/// Issues a new pull robot for the workspace registry now (a leaked secret, say), writes it to every service map and
/// then revokes the old one. Answers at once; the pull secrets status shows the outcome.
/// </summary>
public sealed record RotatePullSecrets(Guid WorkspaceId) : IRequest<Accepted>;

public static class RotatePullSecretsHandler
{
    public static async Task<Result<Accepted>> Handle(RotatePullSecrets command, Actor actor, Marten.IQuerySession session, IMessageContext messages, CancellationToken ct)
    {
        var workspace = await PullSecretsAccess.WorkspaceAsync(session, actor, command.WorkspaceId, manage: true, ct);
        if (workspace.Failure is { } refused) return refused;
        await messages.PublishAsync(new ReconcilePullSecrets(command.WorkspaceId, Rotate: true, RequestedBy: actor.Ref));
        return new Accepted(command.WorkspaceId, 0);
    }
}
