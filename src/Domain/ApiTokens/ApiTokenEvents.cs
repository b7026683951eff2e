using Cocktail.Domain.Common;

namespace Cocktail.Domain.ApiTokens;

/// <summary>The secret itself is never stored, only its SHA-256 (in the token's read model, not in the event).</summary>
public sealed record ApiTokenCreated(
    Guid TokenId, Guid UserId, string UserName, string Name, string Prefix, DateTimeOffset ExpiresAt,
    ActorRef CreatedBy, DateTimeOffset CreatedAt);

/// <summary>Reason is why, when the remover said; null on events recorded before it existed.</summary>
public sealed record ApiTokenRevoked(Guid TokenId, Guid UserId, string Name, ActorRef RevokedBy, DateTimeOffset RevokedAt, string? Reason = null);
