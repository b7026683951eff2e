using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.Pipelines.Defining;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Pipelines.Changing;

/// <summary>
/// A new version of a pipeline's definition (from the form or YAML), stored whole with the one before it. The same
/// definition again changes nothing. <see cref="ExpectedVersion"/> is the definition's version the caller edited: a
/// later one answers 409 rather than being overwritten.
/// </summary>
public sealed record ChangePipeline(Guid PipelineId, PipelineDefinition? Definition, string? Yaml, string? Reason = null, long? ExpectedVersion = null)
    : IRequest<Accepted>;

public sealed class ChangePipelineValidator : AbstractValidator<ChangePipeline>
{
    public ChangePipelineValidator()
    {
        RuleFor(x => x.Reason).MaximumLength(500);
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }
}

public static class ChangePipelineHandler
{
    public static async Task<Result<Accepted>> Handle(ChangePipeline command, Actor actor, IDocumentSession session, IPipelineYaml yaml,
        IOptions<ImageScanningOptions> scanning, TimeProvider clock, CancellationToken ct)
    {
        var loaded = await PipelineAccess.LoadAsync(session, actor, command.PipelineId, TenancyAccess.CanDeploy, ct);
        if (loaded.Failure is { } denied) return denied;
        var (view, workspace) = loaded.Value;
        var definition = await PipelineInput.ResolveAsync(session, yaml, workspace.Id, command.Definition, command.Yaml, ct);
        if (definition.Failure is { } unreadable) return unreadable;
        if (await PipelineChecks.CheckAsync(session, workspace, definition.Value!, scanning.Value, ct) is { } invalid) return invalid;
        if (definition.Value!.Name != view.Name &&
            await session.Query<PipelineView>().AnyAsync(p => p.WorkspaceId == workspace.Id && p.Name == definition.Value.Name && p.Id != view.Id, ct))
            return new Failure(FailureKind.Conflict, $"A pipeline named '{definition.Value.Name}' exists in this workspace.",
                new Dictionary<string, string[]> { ["name"] = [$"A pipeline named '{definition.Value.Name}' exists in this workspace."] });

        // The stream also holds webhook rotations, so the caller's version is the definition's, compared here; the
        // stream's own version, taken when fetched, still guards against a change racing this one.
        var stream = await session.Events.FetchForWriting<Pipeline>(command.PipelineId, ct);
        if (stream.Aggregate is not { Deleted: false } pipeline) return Failure.NotFound(PipelineAccess.NoSuchPipeline);
        if (command.ExpectedVersion is { } expected && expected != pipeline.Version)
            return Failure.Conflict($"The pipeline is at version {pipeline.Version}, not {expected}: someone changed it meanwhile. Reload it and try again.");
        var decision = pipeline.Change(definition.Value, string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim(), actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(pipeline.Id, pipeline.Version + decision.Events.Count);
    }
}
