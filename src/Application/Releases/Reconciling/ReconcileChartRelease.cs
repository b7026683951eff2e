using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Charts;
using Marten;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Transports.Local;

namespace Cocktail.Application.Releases.Reconciling;

// The reconciler of chart releases. It decides nothing: it builds the Flux objects from the aggregate, writes them
// through IFluxGateway, hands the outcome (and what Flux reports) to the aggregate and appends what it decides. Its
// messages come from the events themselves (Marten's event forwarding through Wolverine's outbox, see
// ReleaseEventForwarding in Infrastructure): sent only once the change committed, and a crash in between loses nothing.

/// <summary>Write the release's Flux objects (server-side apply) as its latest revision says.</summary>
public sealed record ApplyChartRelease(Guid ReleaseId, int Attempt = 0);

/// <summary>Read the HelmRelease and record the transitions.</summary>
public sealed record ObserveChartRelease(Guid ReleaseId);

/// <summary>Delete the HelmRelease; Flux uninstalls the Helm release through its finalizer, and the follower sees it go.</summary>
public sealed record DeleteChartRelease(Guid ReleaseId, int Attempt = 0);

public static class ReleaseTurns
{
    public const string Kind = "chart-release";
}

public sealed class ApplyChartReleaseHandler : IConfigureLocalQueue
{
    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(32);

    public static async Task Handle(ApplyChartRelease command, IDocumentSession session, IFluxGateway flux, IMessageContext messages,
        TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        // One apply of a release at a time across replicas: an older revision must not land after a newer one.
        await using var turn = await turns.TakeAsync(ReleaseTurns.Kind, command.ReleaseId, ct);
        var release = await session.Events.FetchLatest<ChartRelease>(command.ReleaseId, ct);
        if (release is null || release.Status is ChartReleaseStatus.Uninstalling or ChartReleaseStatus.Uninstalled) return;
        var failure = await flux.ApplyAsync(release.Target.ClusterId, FluxObjects.Build(release), ct);
        var decision = release.RecordApply(release.Revision, failure?.Message, clock.GetUtcNow());
        if (decision.Events.Count > 0) session.Events.Append(release.Id, decision.Events.ToArray());
        if (failure is not null)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
        else
            await messages.PublishAsync(new ObserveChartRelease(release.Id));
        await session.SaveChangesAsync(ct); // inside the turn: the next apply reads this one's outcome
    }
}

public sealed class ObserveChartReleaseHandler : IConfigureLocalQueue
{
    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(32);

    public static async Task Handle(ObserveChartRelease command, IDocumentSession session, IFluxGateway flux, TimeProvider clock,
        IExclusiveTurns turns, ILogger<ObserveChartRelease> logger, CancellationToken ct)
    {
        await using var turn = await turns.TakeAsync(ReleaseTurns.Kind, command.ReleaseId, ct);
        var release = await session.Events.FetchLatest<ChartRelease>(command.ReleaseId, ct);
        if (release is null || release.Status == ChartReleaseStatus.Uninstalled) return;
        var (seen, failure) = await flux.ObserveAsync(release.Target.ClusterId, release.Target.Namespace, release.Name, ct);
        if (seen is null)
        {
            // Unreachable: nothing was seen, so nothing changed; the follower observes it again.
            logger.LogDebug("Observing release {Name} on {Cluster} failed: {Problem}", release.Name, release.Target.ClusterName, failure?.Message);
            return;
        }
        await ObserveAsync(session, release, seen, clock, ct);
    }

    /// <summary>Hands what was seen to the aggregate and appends what it decides (the follower calls this with what it listed).</summary>
    public static async Task ObserveAsync(IDocumentSession session, ChartRelease release, HelmReleaseObservation seen, TimeProvider clock, CancellationToken ct)
    {
        var decision = release.Observe(seen, clock.GetUtcNow());
        if (decision.Events.Count == 0) return;
        session.Events.Append(release.Id, decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
    }
}

public static class DeleteChartReleaseHandler
{
    public static async Task Handle(DeleteChartRelease command, IDocumentSession session, IFluxGateway flux, IMessageContext messages, CancellationToken ct)
    {
        var release = await session.Events.FetchLatest<ChartRelease>(command.ReleaseId, ct);
        if (release is null || release.Status != ChartReleaseStatus.Uninstalling) return;
        var failure = await flux.DeleteReleaseAsync(release.Target.ClusterId, release.Target.Namespace, release.Name, ct);
        if (failure is not null)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
        else
            await messages.PublishAsync(new ObserveChartRelease(release.Id));
    }
}
