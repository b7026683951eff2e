using Cocktail.Domain.Access;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.WarningOfExpiry;

/// <summary>Scheduled ahead of the grant's validUntil (by <see cref="AccessOptions.ExpiryWarning"/>) when it is granted.</summary>
[MessageIdentity("Cocktail.Application.AccessGrants.WarnAccessGrantExpiry")]
public sealed record WarnAccessGrantExpiry(Guid GrantId);

public static class WarnAccessGrantExpiryHandler
{
    public static async Task Handle(WarnAccessGrantExpiry command, IDocumentSession session, IOptions<AccessOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is { } grant) stream.AppendMany(grant.WarnOfExpiry(options.Value.ExpiryWarning, clock.GetUtcNow()).Events.ToArray());
    }
}
