using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Users.ChangingRole;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeUserRole(Guid UserId, PlatformRole Role, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class ChangeUserRoleValidator : AbstractValidator<ChangeUserRole>
{
    public ChangeUserRoleValidator() =>
        RuleFor(x => x.Role).IsInEnum().WithMessage("Role is one of PlatformAdmin, Auditor, User.");
}

public static class ChangeUserRoleHandler
{
    public static async Task<Result<Accepted>> Handle(
        ChangeUserRole command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (command.Role != PlatformRole.PlatformAdmin && await LastAdmins.IsOnlyActiveAdminAsync(session, command.UserId, ct))
            return Failure.Conflict("This is the last active platform admin; make another user an admin first.");
        return await UserStreams.DecideAsync(session, command.UserId, command.ExpectedVersion,
            user => user.ChangeRole(command.Role, actor.Ref, clock.GetUtcNow()), ct);
    }
}
