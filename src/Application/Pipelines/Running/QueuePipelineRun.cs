using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

public static class QueuePipelineRunHandler
{
    public static async Task Handle(QueuePipelineRun command, IDocumentSession session, IMessageContext messages, TimeProvider clock, IExclusiveTurns turns,
        CancellationToken ct)
    {
        await using var turn = await turns.TakeAsync(PipelineRuns.Turn, command.PipelineId, ct);
        await PipelineRuns.QueueAsync(command, session, messages, clock, ct);
        await session.SaveChangesAsync(ct);
    }
}

public static class StartQueuedRunsHandler
{
    public static async Task Handle(StartQueuedRuns command, IDocumentSession session, IMessageContext messages, TimeProvider clock, IExclusiveTurns turns,
        CancellationToken ct)
    {
        await using var turn = await turns.TakeAsync(PipelineRuns.Turn, command.PipelineId, ct);
        var queued = await session.Query<PipelineRunView>().Where(r => r.PipelineId == command.PipelineId && r.Status == RunStatus.Queued)
            .OrderBy(r => r.Number).ToListAsync(ct);
        if (queued.Count == 0) return;
        var running = await session.Query<PipelineRunView>().CountAsync(r => r.PipelineId == command.PipelineId && r.Status == RunStatus.Running, ct);
        // The newest run's definition says how many may run: the pipeline as it is now.
        var slots = queued[^1].Definition.EffectiveConcurrency.MaxRuns - running;
        foreach (var run in queued.Take(Math.Max(0, slots)))
            await PipelineRunDecisions.DecideAsync(session, run.Id, r => r.Start(ActorRef.System, clock.GetUtcNow()), messages, ct);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>Queuing a run, shared by every trigger and the manual run: one pipeline's runs are queued and started one at a time.</summary>
public static class PipelineRuns
{
    /// <summary>The turn (across replicas) of a pipeline's run queue: numbering and concurrency must not race.</summary>
    public const string Turn = "pipeline";

    /// <summary>
    /// Queues the run (numbered after the pipeline's runs so far) and, in the same transaction, starts it when the
    /// pipeline's concurrency allows: a free slot, or older runs cancelled when the pipeline says so. The caller holds
    /// the pipeline's turn and saves.
    /// </summary>
    public static async Task<Result<Accepted>> QueueAsync(QueuePipelineRun command, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var pipeline = await session.Events.FetchLatest<Pipeline>(command.PipelineId, ct);
        if (pipeline is null) return Failure.NotFound(Runs.PipelineRunAccess.NoSuchPipeline);
        var number = await session.Query<PipelineRunView>().CountAsync(r => r.PipelineId == pipeline.Id, ct) + 1;
        var id = command.RunId ?? Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var decision = pipeline.Queue(id, number, command.Trigger, command.Artifact, command.RerunOf, command.By, now);
        if (decision.Error is { } error) return error;
        var queued = decision.Events.OfType<PipelineRunQueued>().Single();
        var run = PipelineRun.Create(queued);

        var concurrency = queued.Definition.EffectiveConcurrency;
        var waiting = await session.Query<PipelineRunView>()
            .Where(r => r.PipelineId == pipeline.Id && (r.Status == RunStatus.Running || r.Status == RunStatus.Queued))
            .OrderBy(r => r.Number).ToListAsync(ct);
        var running = waiting.Count(r => r.Status == RunStatus.Running);
        var queuedBefore = waiting.Count(r => r.Status == RunStatus.Queued);
        var start = running < concurrency.MaxRuns && queuedBefore == 0;
        if (!start && concurrency.WhenBusy == WhenBusy.CancelOlder)
        {
            // Every older queued run, and the oldest running ones until this one has a slot.
            var superseded = waiting.Where(r => r.Status == RunStatus.Queued)
                .Concat(waiting.Where(r => r.Status == RunStatus.Running).Take(running - concurrency.MaxRuns + 1));
            foreach (var older in superseded)
                await PipelineRunDecisions.DecideAsync(session, older.Id, r => r.Cancel($"superseded by run #{number}", command.By, now), messages, ct);
            start = true;
        }
        var started = start ? run.Start(command.By, now).Events : [];
        session.Events.StartStream<PipelineRun>(id, [queued, .. started]);
        if (started.Count > 0) await PipelineRunDecisions.FollowUpAsync(run, started, messages);
        // Queued behind others: the queue is looked at again (a slot may be free that nobody announced).
        else await messages.PublishAsync(new StartQueuedRuns(pipeline.Id));
        return new Accepted(id, 1 + started.Count);
    }
}
