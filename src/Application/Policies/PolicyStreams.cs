using Cocktail.Application.Common;
using Cocktail.Domain.Policies;
using Marten;

namespace Cocktail.Application.Policies;

/// <summary>The write side shared by the use cases that set a policy: load the target's policy stream, decide, append.</summary>
internal static class PolicyStreams
{
    public static async Task<Result<Accepted>> ChangeAsync(IDocumentSession session, Guid targetId, PolicyScope scope, SecurityPolicy policy,
        Actor actor, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<PolicyStream>(PolicyStream.StreamIdFor(targetId), ct);
        var decision = (stream.Aggregate ?? PolicyStream.Empty(targetId, scope)).Change(policy, actor.Ref, clock.GetUtcNow());
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(targetId, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }
}
