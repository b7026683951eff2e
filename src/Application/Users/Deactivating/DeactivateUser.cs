using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Deactivating;

/// <summary>A deactivated user can no longer sign in, and its cookies and API tokens stop working at once.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record DeactivateUser(Guid UserId, long? ExpectedVersion = null) : IRequest<Accepted>;

public static class DeactivateUserHandler
{
    public static async Task<Result<Accepted>> Handle(
        DeactivateUser command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await LastAdmins.IsOnlyActiveAdminAsync(session, command.UserId, ct))
            return Failure.Conflict("This is the last active platform admin; make another user an admin first.");
        return await UserStreams.DecideAsync(session, command.UserId, command.ExpectedVersion,
            user => user.Deactivate(actor.Ref, clock.GetUtcNow()), ct);
    }
}
