using Cocktail.Application.AccessGrants.RemovingFromCluster;
using Cocktail.Domain.Access;
using Marten;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.Expiring;

/// <summary>Scheduled for the grant's validUntil when it is granted.</summary>
[MessageIdentity("Cocktail.Application.AccessGrants.ExpireAccessGrant")]
public sealed record ExpireAccessGrant(Guid GrantId);

public static class ExpireAccessGrantHandler
{
    public static async Task<RemoveAccessGrant?> Handle(ExpireAccessGrant command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is not { } grant) return null;
        var expired = grant.Expire(clock.GetUtcNow());
        stream.AppendMany(expired.Events.ToArray());
        return expired.Events.Count > 0 || grant.OnCluster ? new RemoveAccessGrant(grant.Id) : null;
    }
}
