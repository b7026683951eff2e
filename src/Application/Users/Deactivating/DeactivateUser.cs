using Cocktail.Application.AccessGrants.RevokingUserAccess;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Deactivating;

/// <summary>
/// A deactivated user can no longer sign in, its cookies and API tokens stop working at once, and its grants and
/// RoleBindings on the clusters go within seconds.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record DeactivateUser(Guid UserId, long? ExpectedVersion = null) : IRequest<Accepted>;

public static class DeactivateUserHandler
{
    /// <summary>The user's cluster access ends with the account: grants revoked and bindings removed, through the outbox.</summary>
    public static async Task<(Result<Accepted>, RevokeUserAccess?)> Handle(
        DeactivateUser command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await LastAdmins.IsOnlyActiveAdminAsync(session, command.UserId, ct))
            return (Failure.Conflict("This is the last active platform admin; make another user an admin first."), null);
        var now = clock.GetUtcNow();
        var result = await UserStreams.DecideAsync(session, command.UserId, command.ExpectedVersion, user => user.Deactivate(actor.Ref, now), ct);
        return (result, result.Succeeded ? new RevokeUserAccess(command.UserId, RevokeUserAccess.Deactivated, actor.Ref, now) : null);
    }
}
