using Cocktail.Application.Users;
using Marten;

namespace Cocktail.Application.ApiTokens.Authenticating;

/// <summary>
/// Turns a bearer secret into its user, on the hot path of every API call: two key lookups, no events.
/// Expiry, revocation and deactivation are checked each time, so none of them waits for a cache.
/// </summary>
public sealed class ApiTokenAuthenticator(IQuerySession session, TimeProvider clock)
{
    public async Task<UserView?> AuthenticateAsync(string secret, CancellationToken ct)
    {
        if (!ApiTokenSecrets.LooksLikeToken(secret)) return null;
        var lookup = await session.LoadAsync<ApiTokenSecret>(ApiTokenSecrets.Hash(secret), ct);
        if (lookup is null) return null;
        var token = await session.LoadAsync<ApiTokenView>(lookup.TokenId, ct);
        if (token is null || !token.IsUsableAt(clock.GetUtcNow())) return null;
        var user = await session.LoadAsync<UserView>(lookup.UserId, ct);
        return user is { Active: true } ? user : null;
    }
}
