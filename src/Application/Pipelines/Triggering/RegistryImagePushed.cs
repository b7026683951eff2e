using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Registries;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Pipelines.Triggering;

/// <summary>The registry reported a tag pushed to a workspace repository (<c>ws/api</c>), recorded as the repository's push.</summary>
[MessageIdentity("Cocktail.Application.Pipelines.RegistryImagePushed")]
public sealed record RegistryImagePushed(Guid WorkspaceId, string Repository, string Tag, string Digest);

/// <summary>
/// Starts a run of every pipeline of the workspace that takes its images from the pushed repository, has the registry
/// push trigger, and whose tag filter passes the tag; the run carries the pushed image, pinned by digest.
/// </summary>
public static class RegistryImagePushedHandler
{
    public static readonly ActorRef Actor = new(Guid.Empty, "registry push");

    public static async Task Handle(RegistryImagePushed message, IQuerySession session, IOptions<RegistryOptions> registry, IMessageContext messages,
        CancellationToken ct)
    {
        if (registry.Value.Address is not { Length: > 0 } address) return;
        var pipelines = await session.Query<PipelineView>().Where(p => p.WorkspaceId == message.WorkspaceId).ToListAsync(ct);
        foreach (var pipeline in pipelines.Where(p => Matches(p, message)))
        {
            var artifact = new PipelineArtifact($"{address}/{message.Repository}", message.Tag, message.Digest);
            var trigger = new RunTrigger(TriggerKind.RegistryPush, Tag: message.Tag, Digest: message.Digest);
            await messages.PublishAsync(new QueuePipelineRun(pipeline.Id, trigger, artifact, Actor));
        }
    }

    /// <summary>A registry-sourced pipeline with the push trigger whose repository is the pushed one and whose tag filter passes.</summary>
    public static bool Matches(PipelineView pipeline, RegistryImagePushed pushed)
    {
        var definition = pipeline.Definition;
        if (definition.Source is not { Kind: PipelineSourceKind.Registry, Repository: { } repository } source || !definition.EffectiveTriggers.RegistryPush)
            return false;
        return FullName(pipeline.WorkspaceName, repository) == pushed.Repository && RefFilters.Matches(source.Tags, pushed.Tag);
    }

    /// <summary>A pipeline names a repository inside its workspace ("api"); the registry names it with the workspace ("ws/api").</summary>
    public static string FullName(string workspaceName, string repository) =>
        repository.StartsWith(workspaceName + "/", StringComparison.Ordinal) ? repository : $"{workspaceName}/{repository}";
}
