using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.ApiTokens.Listing;

/// <summary>The caller's own tokens, newest first; admins may name another user.</summary>
public sealed record ListApiTokens(Guid? UserId = null) : IRequest<IReadOnlyList<ApiTokenView>>;

public static class ListApiTokensHandler
{
    public static async Task<Result<IReadOnlyList<ApiTokenView>>> Handle(
        ListApiTokens query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var owner = query.UserId ?? actor.UserId;
        if (owner != actor.UserId && !actor.CanReadEverything) return Failure.NotFound("No such user.");
        var tokens = await session.Query<ApiTokenView>()
            .Where(t => t.UserId == owner)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(ct);
        return Result<IReadOnlyList<ApiTokenView>>.Ok(tokens);
    }
}
