using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.RemovingFromCluster;

/// <summary>Takes a revoked or expired grant off its cluster: its tokens stop working at once.</summary>
[MessageIdentity("Cocktail.Application.AccessGrants.RemoveAccessGrant")]
public sealed record RemoveAccessGrant(Guid GrantId);

public static class RemoveAccessGrantHandler
{
    public static async Task Handle(RemoveAccessGrant command, IDocumentSession session, IAccessGrantApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        await using var turn = await turns.TakeAsync(AccessGrantSchedule.Turn, command.GrantId, ct);
        await RemoveAsync(command, session, applier, vault, messages, clock, ct);
        await session.SaveChangesAsync(ct);
    }

    private static async Task RemoveAsync(RemoveAccessGrant command, IDocumentSession session, IAccessGrantApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is not { } grant || !grant.RemovalDue(clock.GetUtcNow())) return;
        var view = await session.LoadAsync<AccessGrantView>(grant.Id, ct);
        var credential = await session.LoadAsync<ClusterCredential>(grant.ClusterId, ct);
        if (view is null || credential is null) return;

        var outcome = await applier.RemoveAsync(vault.Unprotect(credential.Protected), GrantManifests.For(view), ct);
        stream.AppendMany(grant.RecordRemoval(outcome.Result.ToDomain(), clock.GetUtcNow()).Events.ToArray());
        // A refusal is tried again as soon as an unreachable cluster: a grant that should be gone must not linger.
        if (outcome.Result != ServiceMaps.Reconciling.ApplyResult.Applied) await messages.ScheduleAsync(command, AccessGrantSchedule.UnreachableRetry);
    }
}
