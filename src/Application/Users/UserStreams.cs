using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users;

internal static class UserStreams
{
    public static Task<Result<Accepted>> DecideAsync(
        IDocumentSession session, Guid userId, long? expectedVersion, Func<User, Decision> decide, CancellationToken ct) =>
        AggregateStreams.DecideAsync(session, userId, expectedVersion, decide, "No such user.", ct);
}
