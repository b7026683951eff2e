using Cocktail.Application.Common;
using Cocktail.Application.Pipelines;

// TEMPORARY: the run commands and queries as this branch expects them, until wt-engine lands (then this file goes
// and the pages use its). No handler exists for these yet: the dispatcher answers a failure.
namespace Cocktail.Web.Components.Pages.Pipelines.Pending;

public sealed record RunPipeline(Guid PipelineId, string? Ref = null, string? Commit = null, string? Tag = null) : IRequest<Accepted>;

public sealed record CancelPipelineRun(Guid RunId, string? Reason = null) : IRequest<Accepted>;

public sealed record RerunPipelineRun(Guid RunId) : IRequest<Accepted>;

public sealed record ApprovePipelineStage(Guid RunId, string Stage, string? Comment = null) : IRequest<Accepted>;

public sealed record RejectPipelineStage(Guid RunId, string Stage, string? Reason) : IRequest<Accepted>;

public sealed record ListPipelineRuns(Guid PipelineId, int Page = 1, int PageSize = 25) : IRequest<Page<PipelineRunView>>;

public sealed record GetPipelineRun(Guid RunId) : IRequest<PipelineRunView>;

public sealed record ListPendingApprovals : IRequest<IReadOnlyList<PendingApproval>>;

public sealed record PendingApproval(
    Guid RunId, Guid PipelineId, string PipelineName, int RunNumber, Guid WorkspaceId, string WorkspaceName, string Stage, Cocktail.Domain.Tenancy.WorkspaceRole Role,
    Cocktail.Domain.Pipelines.RunTrigger Trigger, Cocktail.Domain.Pipelines.PipelineArtifact? Artifact, string QueuedBy, DateTimeOffset? StartedAt);
