using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

public static class PipelineStepTimedOutHandler
{
    /// <summary>The run decides whether the step (the same start) still runs; a deploy's workloads are rolled back.</summary>
    public static Task Handle(PipelineStepTimedOut command, IDocumentSession session, IMessageContext messages, TimeProvider clock, CancellationToken ct) =>
        PipelineRunDecisions.DecideAsync(session, command.RunId, r => r.TimeOut(command.Stage, command.StartedAt, clock.GetUtcNow()), messages, ct);
}
