using Cocktail.Application.Builds.Cancelling;
using Cocktail.Application.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

public static class StopCancelledRunHandler
{
    /// <summary>Cancels the builds the run's running build steps wait on; deployed workloads stay as they are.</summary>
    public static async Task Handle(StopCancelledRun command, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        ILogger<PipelineRunView> logger, CancellationToken ct)
    {
        var run = await session.LoadAsync<PipelineRunView>(command.RunId, ct);
        if (run is null) return;
        foreach (var step in run.Steps.Where(s => s.Status == StepStatus.Running && s.BuildId is not null))
        {
            var cancelled = await CancelBuildHandler.Handle(new CancelBuild(step.BuildId!.Value, $"Pipeline {run.PipelineName} run #{run.Number} was cancelled."),
                Actor.System, session, messages, clock, ct);
            if (cancelled.Failure is { } failure)
                logger.LogInformation("Build {BuildId} of cancelled run {RunId} not cancelled: {Reason}", step.BuildId, run.Id, failure.Message);
        }
    }
}
