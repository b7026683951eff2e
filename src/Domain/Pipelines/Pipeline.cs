using Cocktail.Domain.Common;

namespace Cocktail.Domain.Pipelines;

/// <summary>A workspace's pipeline: its definition's current version, and whether it still exists.</summary>
public sealed record Pipeline(Guid Id, Guid WorkspaceId, string WorkspaceName, int Version, PipelineDefinition Definition, bool Deleted)
{
    public string Name => Definition.Name;

    public static Decision Create(Guid id, Guid workspaceId, string workspaceName, PipelineDefinition definition, ActorRef by, DateTimeOffset at) =>
        definition.Check() is { } refused
            ? refused
            : Decision.Accept(new PipelineCreated(id, workspaceId, workspaceName, definition.Name, definition, by, at));

    public Decision Change(PipelineDefinition definition, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (definition.Check() is { } refused) return refused;
        return definition.SameAs(Definition)
            ? Decision.Nothing
            : Decision.Accept(new PipelineChanged(Id, definition.Name, Version + 1, Definition, definition, reason, by, at));
    }

    public Decision Delete(ActorRef by, DateTimeOffset at) =>
        Deleted ? Decision.Nothing : Decision.Accept(new PipelineDeleted(Id, Name, by, at));

    public Decision RotateWebhookSecret(ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        return Definition.EffectiveTriggers.GitPush is null
            ? DomainError.Invalid("The pipeline has no git push trigger: choose a git provider first.", "triggers.gitPush")
            : Decision.Accept(new PipelineWebhookSecretRotated(Id, Name, by, at));
    }

    /// <summary>A run of the pipeline as it is now; a registry-sourced pipeline's run needs the pushed image.</summary>
    public Decision Queue(Guid runId, int number, RunTrigger trigger, PipelineArtifact? artifact, Guid? rerunOf, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (Definition.Source.Kind == PipelineSourceKind.Registry && artifact is null)
            return DomainError.Invalid("This pipeline deploys images pushed to a registry repository: choose the tag to run.", "tag");
        return Decision.Accept(new PipelineRunQueued(runId, Id, WorkspaceId, Name, number, Version, Definition, trigger, artifact, rerunOf, by, at));
    }

    private DomainError Gone() => DomainError.NotFound($"The pipeline {Name} was deleted.");

    public static Pipeline Create(PipelineCreated e) => new(e.PipelineId, e.WorkspaceId, e.WorkspaceName, 1, e.Definition, false);
    public Pipeline Apply(PipelineChanged e) => this with { Version = e.Version, Definition = e.After };
    public Pipeline Apply(PipelineDeleted _) => this with { Deleted = true };
    public Pipeline Apply(PipelineWebhookSecretRotated _) => this;
}
