using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Pipelines.Defining;

/// <summary>
/// A new pipeline in a workspace (Developers and WorkspaceAdmins), from the form's definition or from YAML. With a
/// git push trigger its first webhook secret is made in the same transaction and answered once.
/// </summary>
[Writes] // answers the webhook secret once, not only Accepted
public sealed record CreatePipeline(Guid WorkspaceId, PipelineDefinition? Definition, string? Yaml) : IRequest<PipelineSaved>;

/// <summary>What a create answered: the pipeline, its version, and the webhook set-up when a secret was made.</summary>
public sealed record PipelineSaved(Guid Id, int Version, PipelineWebhookSetUp? Webhook)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public static class CreatePipelineHandler
{
    public static async Task<Result<PipelineSaved>> Handle(CreatePipeline command, Actor actor, IDocumentSession session, IPipelineYaml yaml,
        IDataProtectionProvider protection, IOptions<ImageScanningOptions> scanning, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } denied) return denied;
        var definition = await PipelineInput.ResolveAsync(session, yaml, workspace.Value!.Id, command.Definition, command.Yaml, ct);
        if (definition.Failure is { } unreadable) return unreadable;
        if (await PipelineChecks.CheckAsync(session, workspace.Value, definition.Value!, scanning.Value, ct) is { } invalid) return invalid;
        if (await session.Query<PipelineView>().AnyAsync(p => p.WorkspaceId == workspace.Value.Id && p.Name == definition.Value!.Name, ct))
            return new Failure(FailureKind.Conflict, $"A pipeline named '{definition.Value!.Name}' exists in this workspace.",
                new Dictionary<string, string[]> { ["name"] = [$"A pipeline named '{definition.Value.Name}' exists in this workspace."] });

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var created = Pipeline.Create(id, workspace.Value.Id, workspace.Value.Name, definition.Value!, actor.Ref, now);
        if (created.Error is { } error) return error;
        var events = created.Events.ToList();
        PipelineWebhookSetUp? webhook = null;
        if (definition.Value!.EffectiveTriggers.GitPush is { } provider)
        {
            var pipeline = Pipeline.Create((PipelineCreated)events[0]);
            var rotated = pipeline.RotateWebhookSecret(actor.Ref, now);
            if (rotated.Error is { } refused) return refused;
            events.AddRange(rotated.Events);
            webhook = PipelineWebhookSecrets.Store(session, protection, id, provider);
        }
        session.Events.StartStream<Pipeline>(id, events.ToArray());
        return new PipelineSaved(id, 1, webhook);
    }
}

/// <summary>The definition from the form, or from YAML (names resolved in the workspace): exactly one of them.</summary>
public static class PipelineInput
{
    public static async Task<Result<PipelineDefinition>> ResolveAsync(IQuerySession session, IPipelineYaml yaml, Guid workspaceId,
        PipelineDefinition? definition, string? text, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(text))
            return definition is null
                ? await PipelineYamlNames.ReadAsync(session, yaml, workspaceId, text, ct)
                : Failure.Invalid("Give the definition or its YAML, not both.", "yaml");
        return definition ?? (Result<PipelineDefinition>)Failure.Invalid("Give the pipeline: its definition, or its YAML.", "definition");
    }
}
