using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Unlocking;

/// <summary>A platform admin lifts a sign-in lockout at once (a password reset does too, with a new password).</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record UnlockUser(Guid UserId) : IRequest<Accepted>;

public static class UnlockUserHandler
{
    public static async Task<Result<Accepted>> Handle(
        UnlockUser command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var result = await UserStreams.DecideAsync(session, command.UserId, null, user => user.Unlock(actor.Ref, clock.GetUtcNow()), ct);
        if (result.Succeeded && await session.LoadAsync<UserCredential>(command.UserId, ct) is { } credential)
        {
            credential.FailedAttempts = 0;
            credential.LockedUntil = null;
            session.Store(credential);
        }
        return result;
    }
}
