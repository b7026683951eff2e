using Cocktail.Domain.Common;

namespace Cocktail.Domain.ApiTokens;

public sealed record ApiToken(Guid Id, Guid UserId, string Name, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static Decision Issue(Guid id, Guid userId, string userName, string name, string prefix,
        DateTimeOffset expiresAt, ActorRef by, DateTimeOffset at)
    {
        if (expiresAt <= at) return DomainError.Invalid("A token must expire in the future.", "expiresInDays");
        return Decision.Accept(new ApiTokenCreated(id, userId, userName, name.Trim(), prefix, expiresAt, by, at));
    }

    public Decision Revoke(string? reason, ActorRef by, bool byPlatformAdmin, DateTimeOffset at)
    {
        if (by.Id != UserId && !byPlatformAdmin)
            return DomainError.NotFound("No such API token.");
        return RevokedAt is not null ? Decision.Nothing : Decision.Accept(new ApiTokenRevoked(Id, UserId, Name, by, at, RemovalReason.Optional(reason)));
    }

    public static ApiToken Create(ApiTokenCreated e) => new(e.TokenId, e.UserId, e.Name, e.ExpiresAt, null);
    public ApiToken Apply(ApiTokenRevoked e) => this with { RevokedAt = e.RevokedAt };
}
