using Cocktail.Application.Common;
using Cocktail.Domain.ApiTokens;
using Marten;

namespace Cocktail.Application.ApiTokens.Revoking;

/// <summary>Owners revoke their own tokens; platform admins may revoke anyone's.</summary>
[SelfService]
public sealed record RevokeApiToken(Guid TokenId) : IRequest<Accepted>;

public static class RevokeApiTokenHandler
{
    public static Task<Result<Accepted>> Handle(
        RevokeApiToken command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        AggregateStreams.DecideAsync<ApiToken>(session, command.TokenId, null,
            token => token.Revoke(actor.Ref, actor.IsPlatformAdmin, clock.GetUtcNow()), "No such API token.", ct);
}
