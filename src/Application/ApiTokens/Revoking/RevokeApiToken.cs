using Cocktail.Application.Common;
using Cocktail.Domain.ApiTokens;
using Cocktail.Domain.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.ApiTokens.Revoking;

/// <summary>Owners revoke their own tokens; platform admins may revoke anyone's.</summary>
[SelfService]
public sealed record RevokeApiToken(Guid TokenId, string? Reason = null) : IRequest<Accepted>;

public sealed class RevokeApiTokenValidator : AbstractValidator<RevokeApiToken>
{
    public RevokeApiTokenValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RevokeApiTokenHandler
{
    public static Task<Result<Accepted>> Handle(
        RevokeApiToken command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        AggregateStreams.DecideAsync<ApiToken>(session, command.TokenId, null,
            token => token.Revoke(command.Reason, actor.Ref, actor.IsPlatformAdmin, clock.GetUtcNow()), "No such API token.", ct);
}
