using System.Text.RegularExpressions;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.Pipelines.Runs;
using Cocktail.Application.Registries;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Pipelines.Running;

/// <summary>
/// Runs a pipeline by hand: a registry-sourced pipeline runs a tag of its repository (pinned to the digest it points at
/// now); a git-sourced one runs a branch (the filter's, when it names exactly one) and optionally a commit.
/// </summary>
public sealed partial record RunPipeline(Guid PipelineId, string? Ref = null, string? Commit = null, string? Tag = null) : IRequest<Accepted>
{
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    public static partial Regex TagPattern();
}

public sealed class RunPipelineValidator : AbstractValidator<RunPipeline>
{
    public RunPipelineValidator()
    {
        RuleFor(x => x.Tag).Must(t => t is null || RunPipeline.TagPattern().IsMatch(t))
            .WithMessage("A tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.");
        RuleFor(x => x.Ref).Must(r => r is null || r.Length is > 0 and <= 255 && !r.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            .WithMessage("A git ref has 1 to 255 characters, no spaces.");
        RuleFor(x => x.Commit).Must(c => c is null || BuildRules.IsValidCommit(c)).WithMessage("A commit is 7 to 40 lowercase hexadecimal characters.");
    }
}

public static class RunPipelineHandler
{
    public static async Task<Result<Accepted>> Handle(RunPipeline command, Actor actor, IDocumentSession session, IRegistryTagResolver tags,
        IOptions<RegistryOptions> registry, IMessageContext messages, TimeProvider clock, IExclusiveTurns turns, CancellationToken ct)
    {
        var pipeline = await PipelineRunAccess.PipelineAsync(session, actor, command.PipelineId, TenancyAccess.CanDeploy, ct);
        if (pipeline.Failure is { } denied) return denied;
        var view = pipeline.Value!;
        var source = view.Definition.Source;
        RunTrigger trigger;
        PipelineArtifact? artifact = null;
        if (source.Kind == PipelineSourceKind.Registry)
        {
            if (string.IsNullOrWhiteSpace(command.Tag)) return Failure.Invalid("Choose the tag to run.", "tag");
            if (!registry.Value.Configured) return Failure.Conflict("No registry is configured (Cocktail:Registry): registry-sourced pipelines run its images.");
            var repository = RepositoryNames.InWorkspace(view.WorkspaceName, source.Repository!);
            var digest = await tags.ResolveAsync(repository, command.Tag, ct);
            if (digest is null) return Failure.Invalid($"The registry has no tag {command.Tag} in {repository}.", "tag");
            artifact = new PipelineArtifact($"{registry.Value.Address}/{repository}", command.Tag, digest);
            trigger = new RunTrigger(TriggerKind.Manual, Tag: command.Tag, Digest: digest, Detail: actor.UserName);
        }
        else
        {
            var branch = command.Ref ?? SingleBranch(source.Branches);
            if (branch is null) return Failure.Invalid("Choose the branch or ref to run (the branch filter names more than one).", "ref");
            trigger = new RunTrigger(TriggerKind.Manual, Ref: branch, Commit: command.Commit, Detail: actor.UserName);
        }

        await using var turn = await turns.TakeAsync(PipelineRuns.Turn, view.Id, ct);
        var queued = await PipelineRuns.QueueAsync(new QueuePipelineRun(view.Id, trigger, artifact, actor.Ref), session, messages, clock, ct);
        if (queued.Succeeded) await session.SaveChangesAsync(ct);
        return queued;
    }

    /// <summary>The filter's first branch when it is a name, not a pattern.</summary>
    private static string? SingleBranch(string? filter)
    {
        var first = filter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is null || first.IndexOfAny(['*', '?', '[']) >= 0 ? null : first;
    }
}
