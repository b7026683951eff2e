using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;

namespace Cocktail.Application.Pipelines.Running;

/// <summary>Who a pipeline's own work is done as: the pipeline itself, by name, so builds and logs say which one.</summary>
public static class PipelineActors
{
    public static ActorRef For(Guid pipelineId, string pipelineName) => new(pipelineId, $"pipeline {pipelineName}");

    public static Actor ActorFor(Guid pipelineId, string pipelineName) => new(pipelineId, $"pipeline {pipelineName}", PlatformRole.User);
}
