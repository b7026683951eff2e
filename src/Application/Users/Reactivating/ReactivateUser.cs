using Cocktail.Application.AccessGrants.RevokingUserAccess;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Reactivating;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ReactivateUser(Guid UserId, long? ExpectedVersion = null) : IRequest<Accepted>;

public static class ReactivateUserHandler
{
    /// <summary>Revoked grants stay revoked; the workspaces' RoleBindings take the user back.</summary>
    public static async Task<(Result<Accepted>, ReconcileUserWorkspaces?)> Handle(
        ReactivateUser command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var result = await UserStreams.DecideAsync(session, command.UserId, command.ExpectedVersion,
            user => user.Reactivate(actor.Ref, clock.GetUtcNow()), ct);
        if (result.Succeeded && await session.LoadAsync<UserCredential>(command.UserId, ct) is { } credential)
        {
            credential.FailedAttempts = 0;
            credential.LockedUntil = null;
            session.Store(credential);
        }
        return (result, result.Succeeded ? new ReconcileUserWorkspaces(command.UserId) : null);
    }
}
