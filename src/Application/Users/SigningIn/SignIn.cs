using System.Text;
using Cocktail.Application.Common;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Users.SigningIn;

[Anonymous]
public sealed record SignIn(string UserName, [property: Secret] string Password) : IRequest<SignedInUser>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class SignInValidator : AbstractValidator<SignIn>
{
    public SignInValidator()
    {
        RuleFor(x => x.UserName).NotEmpty().WithMessage("Enter your user name.").MaximumLength(63);
        RuleFor(x => x.Password).NotEmpty().WithMessage("Enter your password.").MaximumLength(Passwords.MaximumLength);
    }
}

public static class SignInHandler
{
    public static Task<Result<SignedInUser>> Handle(SignIn command, Actor actor, IDocumentSession session,
        IOptions<SignInOptions> options, TimeProvider clock, CancellationToken ct) =>
        CredentialCheck.VerifyAsync(session, command.UserName.Trim().ToLowerInvariant(), command.Password, options.Value, actor, clock, ct);
}
