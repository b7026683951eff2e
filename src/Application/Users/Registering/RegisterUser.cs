using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Users.Registering;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RegisterUser(string UserName, string DisplayName, [property: Secret] string Password, PlatformRole Role) : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class RegisterUserValidator : AbstractValidator<RegisterUser>
{
    public RegisterUserValidator()
    {
        RuleFor(x => x.UserName).ValidUserName();
        RuleFor(x => x.DisplayName).ValidDisplayName();
        RuleFor(x => x.Password).StrongPassword();
        RuleFor(x => x.Role).IsInEnum().WithMessage("Role is one of PlatformAdmin, Auditor, User.");
    }
}

public static class RegisterUserHandler
{
    public static async Task<Result<Accepted>> Handle(
        RegisterUser command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        // The unique index on UserView.UserName still guards the race between this check and the commit.
        if (await session.Query<UserView>().AnyAsync(u => u.UserName == command.UserName, ct))
            return new Failure(FailureKind.Conflict, $"The user name '{command.UserName}' is taken.",
                new Dictionary<string, string[]> { ["userName"] = [$"The user name '{command.UserName}' is taken."] });

        var id = Guid.CreateVersion7();
        var decision = User.Register(id, command.UserName, command.DisplayName, command.Role, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;

        session.Events.StartStream<User>(id, decision.Events.ToArray());
        session.Store(new UserCredential { Id = id, PasswordHash = Passwords.Hash(command.Password) });
        return new Accepted(id, decision.Events.Count);
    }
}
