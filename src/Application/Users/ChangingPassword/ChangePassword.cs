using System.Text;
using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Users.ChangingPassword;

/// <summary>
/// Users change their own password by giving the current one; platform admins may set anyone's (a reset), which
/// also lifts a lockout.
/// </summary>
[SelfService]
public sealed record ChangePassword(Guid UserId, [property: Secret] string? CurrentPassword, [property: Secret] string NewPassword) : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class ChangePasswordValidator : AbstractValidator<ChangePassword>
{
    public ChangePasswordValidator() => RuleFor(x => x.NewPassword).StrongPassword();
}

public static class ChangePasswordHandler
{
    public static async Task<Result<Accepted>> Handle(
        ChangePassword command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var own = actor.UserId == command.UserId;
        if (!own && !actor.IsPlatformAdmin) return Failure.NotFound("No such user.");

        var credential = await session.LoadAsync<UserCredential>(command.UserId, ct);
        if (credential is null) return Failure.NotFound("No such user.");
        if (own && !Passwords.Verify(credential.PasswordHash, command.CurrentPassword ?? ""))
            return Failure.Invalid("The current password is not right.", "currentPassword");

        var result = await UserStreams.DecideAsync(session, command.UserId, null,
            user => user.ChangePassword(actor.Ref, clock.GetUtcNow()), ct);
        if (!result.Succeeded) return result;

        credential.PasswordHash = Passwords.Hash(command.NewPassword);
        credential.FailedAttempts = 0;
        credential.LockedUntil = null;
        session.Store(credential);
        return result;
    }
}
