using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Cocktail.Application.Users.SigningIn;
using Cocktail.Domain.ApiTokens;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.ApiTokens.Creating;

/// <summary>The secret is in this answer and nowhere else, ever.</summary>
public sealed record IssuedApiToken(Guid Id, string Name, [property: Secret] string Token, DateTimeOffset ExpiresAt)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>A signed-in user creates a token for themself.</summary>
[Writes, SelfService]
public sealed record CreateApiToken(string Name, int ExpiresInDays) : IRequest<IssuedApiToken>;

/// <summary>Scripts trade a user name and password for a token (and count towards the lockout like a sign-in).</summary>
[Anonymous]
public sealed record IssueApiToken(string UserName, [property: Secret] string Password, string Name, int ExpiresInDays) : IRequest<IssuedApiToken>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class CreateApiTokenValidator : AbstractValidator<CreateApiToken>
{
    public CreateApiTokenValidator(IOptions<ApiTokenOptions> options)
    {
        RuleFor(x => x.Name).TokenName();
        RuleFor(x => x.ExpiresInDays).Lifetime(options.Value);
    }
}

public sealed class IssueApiTokenValidator : AbstractValidator<IssueApiToken>
{
    public IssueApiTokenValidator(IOptions<ApiTokenOptions> options)
    {
        RuleFor(x => x.UserName).NotEmpty().WithMessage("Enter your user name.").MaximumLength(63);
        RuleFor(x => x.Password).NotEmpty().WithMessage("Enter your password.").MaximumLength(Passwords.MaximumLength);
        RuleFor(x => x.Name).TokenName();
        RuleFor(x => x.ExpiresInDays).Lifetime(options.Value);
    }
}

internal static class TokenRules
{
    public static IRuleBuilderOptions<T, string> TokenName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Name the token, for example after the script that uses it.")
            .MaximumLength(100).WithMessage("Token names have at most 100 characters.");

    public static IRuleBuilderOptions<T, int> Lifetime<T>(this IRuleBuilder<T, int> rule, ApiTokenOptions options) =>
        rule.InclusiveBetween(1, options.MaxLifetimeDays)
            .WithMessage($"A token lives between 1 and {options.MaxLifetimeDays} days.");
}

public static class CreateApiTokenHandler
{
    public static Result<IssuedApiToken> Handle(CreateApiToken command, Actor actor, IDocumentSession session, TimeProvider clock) =>
        ApiTokenIssuer.Issue(session, actor.UserId, actor.UserName, command.Name, command.ExpiresInDays, actor, clock);
}

public static class IssueApiTokenHandler
{
    public static async Task<Result<IssuedApiToken>> Handle(IssueApiToken command, Actor actor, IDocumentSession session,
        IOptions<SignInOptions> signIn, TimeProvider clock, CancellationToken ct)
    {
        var user = await CredentialCheck.VerifyAsync(session, command.UserName.Trim().ToLowerInvariant(), command.Password,
            signIn.Value, actor, clock, ct);
        if (user.Failure is { } failure) return failure;
        var owner = user.Value!;
        return ApiTokenIssuer.Issue(session, owner.Id, owner.UserName, command.Name, command.ExpiresInDays,
            actor with { UserId = owner.Id, UserName = owner.UserName }, clock);
    }
}

internal static class ApiTokenIssuer
{
    public static Result<IssuedApiToken> Issue(IDocumentSession session, Guid userId, string userName, string name,
        int expiresInDays, Actor actor, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        var secret = ApiTokenSecrets.NewSecret();
        var expiresAt = now.AddDays(expiresInDays);
        var decision = ApiToken.Issue(id, userId, userName, name, ApiTokenSecrets.PrefixOf(secret), expiresAt, actor.Ref, now);
        if (decision.Error is { } error) return error;

        // The event's actor is the token's owner even for the anonymous password exchange: that is who acted.
        session.LastModifiedBy = actor.UserName;
        session.SetHeader("actorId", actor.UserId);
        session.Events.StartStream<ApiToken>(id, decision.Events.ToArray());
        session.Store(new ApiTokenSecret { Id = ApiTokenSecrets.Hash(secret), TokenId = id, UserId = userId });
        return new IssuedApiToken(id, name.Trim(), secret, expiresAt);
    }
}
