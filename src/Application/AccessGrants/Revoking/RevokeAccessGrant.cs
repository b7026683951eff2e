using Cocktail.Application.AccessGrants.RemovingFromCluster;
using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using FluentValidation;
using Marten;

namespace Cocktail.Application.AccessGrants.Revoking;

/// <summary>Ends a grant now: its ServiceAccount is deleted, so every token issued for it is refused at once.</summary>
public sealed record RevokeAccessGrant(Guid GrantId, string Reason) : IRequest<Accepted>;

public sealed class RevokeAccessGrantValidator : AbstractValidator<RevokeAccessGrant>
{
    public RevokeAccessGrantValidator() => RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the access is revoked.").MaximumLength(1000);
}

public static class RevokeAccessGrantHandler
{
    /// <summary>Platform admins and the granting workspace admins revoke; grantees may give their access back.</summary>
    public static async Task<(Result<Accepted>, RemoveAccessGrant?)> Handle(RevokeAccessGrant command, Actor actor, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var view = await AccessGrantAccess.LoadAsync(actor, command.GrantId, session, ct);
        if (view.Failure is { } failure) return (failure, null);
        if (view.Value!.UserId != actor.UserId && !await AccessGrantAccess.CanGrantAsync(actor, view.Value.Scope, view.Value.WorkspaceId, session, ct))
            return (Failure.Forbidden("Only platform admins, the workspace's admins or the grantee revoke this grant."), null);

        var result = await AggregateStreams.DecideAsync<AccessGrant>(session, command.GrantId, null,
            grant => grant.Revoke(command.Reason, actor.Ref, clock.GetUtcNow()), AccessGrantAccess.NoSuchGrant, ct);
        return (result, result.Succeeded ? new RemoveAccessGrant(command.GrantId) : null);
    }
}
