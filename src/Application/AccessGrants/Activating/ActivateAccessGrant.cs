using Cocktail.Application.Common;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Access;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants;

/// <summary>Sets a grant up on its cluster when its validity starts (scheduled), retrying while the cluster is away.</summary>
public sealed record ActivateAccessGrant(Guid GrantId);

/// <summary>Takes a revoked or expired grant off its cluster: its tokens stop working at once.</summary>
public sealed record RemoveAccessGrant(Guid GrantId);

public sealed record ExpireAccessGrant(Guid GrantId);

public sealed record WarnAccessGrantExpiry(Guid GrantId);

/// <summary>The safety net under the schedule: expires overdue grants, activates due ones, removes leftovers.</summary>
public sealed record SweepAccessGrants;

public static class AccessGrantSchedule
{
    public static readonly TimeSpan UnreachableRetry = TimeSpan.FromSeconds(5);

    /// <summary>The <see cref="IExclusiveTurns"/> kind of a grant's presence on its cluster.</summary>
    public const string Turn = "access-grant";

    public static Task ActivateAsync(IMessageContext messages, Guid grantId, DateTimeOffset validFrom, DateTimeOffset now) =>
        validFrom <= now
            ? messages.PublishAsync(new ActivateAccessGrant(grantId)).AsTask()
            : messages.ScheduleAsync(new ActivateAccessGrant(grantId), validFrom).AsTask();
}

public static class ActivateAccessGrantHandler
{
    // The schedule and the sweep may both deliver: the loser of the race retries, finds the work done, and stops.
    [RetryNow(typeof(Exception), 50, 250, 1000)]
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
        var now = clock.GetUtcNow();
        if (stream.Aggregate is not { } grant || grant.OnCluster || !grant.ShouldBeOnCluster(now)) return;
        var view = await session.LoadAsync<AccessGrantView>(grant.Id, ct);
        var credential = await session.LoadAsync<ClusterCredential>(grant.ClusterId, ct);
        if (view is null || credential is null) return;

        var outcome = await applier.EnsureAsync(vault.Unprotect(credential.Protected), GrantManifests.For(view), ct);
        switch (outcome.Result)
        {
            case ApplyResult.Applied:
                stream.AppendMany(grant.Activated(clock.GetUtcNow()).Events.ToArray());
                break;
            case ApplyResult.Refused:
                if (view.ActivationError != outcome.Message)
                    stream.AppendOne(new AccessGrantActivationFailed(grant.Id, grant.ClusterId, outcome.Message ?? "", now));
                await messages.ScheduleAsync(command, TimeSpan.FromSeconds(30));
                break;
            default:
                await messages.ScheduleAsync(command, AccessGrantSchedule.UnreachableRetry);
                break;
        }
    }
}

public static class RemoveAccessGrantHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
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
        if (stream.Aggregate is not { } grant || grant.ShouldBeOnCluster(clock.GetUtcNow())) return;
        var view = await session.LoadAsync<AccessGrantView>(grant.Id, ct);
        var credential = await session.LoadAsync<ClusterCredential>(grant.ClusterId, ct);
        if (view is null || credential is null) return;

        var outcome = await applier.RemoveAsync(vault.Unprotect(credential.Protected), GrantManifests.For(view), ct);
        if (outcome.Result == ApplyResult.Applied) stream.AppendMany(grant.RemovedFromCluster(clock.GetUtcNow()).Events.ToArray());
        else await messages.ScheduleAsync(command, AccessGrantSchedule.UnreachableRetry);
    }
}

public static class ExpireAccessGrantHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task<RemoveAccessGrant?> Handle(ExpireAccessGrant command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is not { } grant) return null;
        var expired = grant.Expire(clock.GetUtcNow());
        stream.AppendMany(expired.Events.ToArray());
        return expired.Events.Count > 0 || grant.OnCluster ? new RemoveAccessGrant(grant.Id) : null;
    }
}

public static class WarnAccessGrantExpiryHandler
{
    [RetryNow(typeof(Exception), 50, 250, 1000)]
    public static async Task Handle(WarnAccessGrantExpiry command, IDocumentSession session, Microsoft.Extensions.Options.IOptions<AccessOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        if (stream.Aggregate is { } grant) stream.AppendMany(grant.WarnOfExpiry(options.Value.ExpiryWarning, clock.GetUtcNow()).Events.ToArray());
    }
}

public static class SweepAccessGrantsHandler
{
    public static async Task<IEnumerable<object>> Handle(SweepAccessGrants _, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var open = await session.Query<AccessGrantView>()
            .Where(g => g.RevokedAt == null && g.ExpiredAt == null || g.OnCluster)
            .ToListAsync(ct);
        var work = new List<object>();
        foreach (var grant in open)
        {
            if (grant.RevokedAt is null && grant.ExpiredAt is null && now >= grant.ValidUntil) work.Add(new ExpireAccessGrant(grant.Id));
            else if (grant.StateAt(now) == GrantState.Activating) work.Add(new ActivateAccessGrant(grant.Id));
            else if (grant.OnCluster && grant.StateAt(now) is GrantState.Revoked or GrantState.Expired) work.Add(new RemoveAccessGrant(grant.Id));
        }
        return work;
    }
}
