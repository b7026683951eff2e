using Cocktail.Domain.Pipelines;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Pipelines;

public static class Configuration
{
    /// <summary>Pipelines (their definitions' versions) and their runs.</summary>
    public static void AddPipelines(this StoreOptions options)
    {
        options.Projections.Snapshot<PipelineView>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<PipelineRunView>(SnapshotLifecycle.Inline);
        options.Schema.For<PipelineView>().Index(p => p.WorkspaceId);
        options.Schema.For<PipelineWebhookSecret>();
        options.Schema.For<PipelineRunView>().Index(r => r.WorkspaceId).Index(r => r.PipelineId).Index(r => r.Status)
            .GinIndexJsonData();
        options.Events.AddEventTypes([
            typeof(PipelineCreated), typeof(PipelineChanged), typeof(PipelineDeleted), typeof(PipelineWebhookSecretRotated),
            typeof(PipelineRunQueued), typeof(PipelineRunStarted), typeof(PipelineStepStarted), typeof(PipelineStepLogged), typeof(PipelineBuildQueued),
            typeof(PipelineDeployApplied), typeof(PipelineRolloutObserved), typeof(PipelineStepSucceeded), typeof(PipelineStepFailed),
            typeof(PipelineDeployRolledBack), typeof(PipelineDeployed), typeof(PipelineDeployFailed), typeof(ApprovalRequested), typeof(ApprovalGiven),
            typeof(ApprovalRejected), typeof(PipelineRunSucceeded), typeof(PipelineRunFailed), typeof(PipelineRunCancelled),
        ]);
    }
}
