using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.Activating;

/// <summary>Sets a grant up on its cluster when its validity starts (scheduled), retrying while the cluster is away.</summary>
/// <remarks>Scheduled messages already stored carry the name it had before it moved here.</remarks>
[MessageIdentity("Cocktail.Application.AccessGrants.ActivateAccessGrant")]
public sealed record ActivateAccessGrant(Guid GrantId);

public static class ActivateAccessGrantHandler
{
    // The schedule and the sweep may both deliver: the loser of the race is retried by the messaging's conflict
    // policy, finds the work done, and stops.
    public static async Task Handle(ActivateAccessGrant command, IDocumentSession session, IAccessGrantApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        // Putting a grant on its cluster and taking it off take turns across replicas, each committed before the
        // next reads: otherwise a removal can run before an activation's apply lands, and the revoked grant's account
        // stays on the cluster with nothing recorded to remove it again.
        await using var turn = await turns.TakeAsync(AccessGrantSchedule.Turn, command.GrantId, ct);
        await ActivateAsync(command, session, applier, vault, messages, clock, ct);
        await session.SaveChangesAsync(ct);
    }

    private static async Task ActivateAsync(ActivateAccessGrant command, IDocumentSession session, IAccessGrantApplier applier, ICredentialVault vault,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is not { } grant || !grant.ActivationDue(clock.GetUtcNow())) return;
        var view = await session.LoadAsync<AccessGrantView>(grant.Id, ct);
        var credential = await session.LoadAsync<ClusterCredential>(grant.ClusterId, ct);
        if (view is null || credential is null) return;

        var outcome = await applier.EnsureAsync(vault.Unprotect(credential.Protected), GrantManifests.For(view), ct);
        stream.AppendMany(grant.RecordActivation(outcome.Result.ToDomain(), outcome.Message, clock.GetUtcNow()).Events.ToArray());
        if (AccessGrantSchedule.RetryAfter(outcome.Result) is { } retry) await messages.ScheduleAsync(command, retry);
    }
}
