using System.Text.RegularExpressions;
using Cocktail.Application.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Components.Shared;

namespace Cocktail.Web.Components.Pages.Pipelines;

/// <summary>
/// The pipeline form's fields, to and from the definition the YAML tab shows: the same model either way. What the
/// form does not show (a target's env values and replicas, a stage's wait for the rollout) is carried across untouched.
/// </summary>
public sealed class PipelineForm
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public PipelineSourceKind SourceKind { get; set; } = PipelineSourceKind.Registry;
    public string? GitUrl { get; set; }
    public string? Branches { get; set; }
    public string? Repository { get; set; }
    public string? Tags { get; set; }
    public List<StageForm> Stages { get; set; } = [];
    public GitProvider? GitPush { get; set; }
    public bool RegistryPush { get; set; }
    public string? Schedule { get; set; }
    public int MaxRuns { get; set; } = 1;
    public WhenBusy WhenBusy { get; set; } = WhenBusy.Queue;

    public static PipelineForm From(PipelineDefinition d)
    {
        var triggers = d.EffectiveTriggers;
        var concurrency = d.EffectiveConcurrency;
        return new PipelineForm
        {
            Name = d.Name, Description = d.Description, SourceKind = d.Source.Kind, GitUrl = d.Source.GitUrl, Branches = d.Source.Branches,
            Repository = d.Source.Repository, Tags = d.Source.Tags, Stages = d.Stages.Select(StageForm.From).ToList(), GitPush = triggers.GitPush,
            RegistryPush = triggers.RegistryPush, Schedule = triggers.Schedule, MaxRuns = concurrency.MaxRuns, WhenBusy = concurrency.WhenBusy,
        };
    }

    public PipelineDefinition ToDefinition()
    {
        var git = SourceKind == PipelineSourceKind.Git;
        var source = git
            ? new PipelineSource(PipelineSourceKind.Git, GitUrl: Inputs.Blank(GitUrl) ?? "", Branches: Inputs.Blank(Branches))
            : new PipelineSource(PipelineSourceKind.Registry, Repository: Inputs.Blank(Repository) ?? "", Tags: Inputs.Blank(Tags));
        var triggers = new PipelineTriggers(git ? GitPush : null, !git && RegistryPush, Inputs.Blank(Schedule));
        return new PipelineDefinition(Name.Trim(), source, Stages.Select(s => s.ToStage()).ToList(),
            triggers == new PipelineTriggers() ? null : triggers,
            MaxRuns == 1 && WhenBusy == WhenBusy.Queue ? null : new PipelineConcurrency(MaxRuns, WhenBusy), Inputs.Blank(Description));
    }

    /// <summary>A name no stage has yet: deploy, deploy-2, …</summary>
    public string FreeName(string stem)
    {
        var name = stem;
        for (var i = 2; Stages.Any(s => s.Name == name); i++) name = $"{stem}-{i}";
        return name;
    }
}

public sealed class StageForm
{
    public string Name { get; set; } = "";
    public StageKind Kind { get; set; } = StageKind.Deploy;
    /// <summary>Null: the stage before it (the definition's default).</summary>
    public IReadOnlyCollection<string>? After { get; set; }
    public Guid? BuildDefinition { get; set; }
    public bool BlockCritical { get; set; } = true;
    public int? MaxHigh { get; set; }
    public bool OnlyWithFix { get; set; }
    public List<TargetForm> Targets { get; set; } = [new()];
    public bool WaitForRollout { get; set; } = true;
    public int TimeoutMinutes { get; set; } = 10;
    public WorkspaceRole? ApprovalBy { get; set; }
    public bool Production { get; set; }

    /// <summary>Identifies the row across reorders (Blazor's @key), since the name is being typed.</summary>
    public Guid Key { get; } = Guid.NewGuid();

    public bool Deploys => Kind is StageKind.Deploy or StageKind.Promote;

    public static StageForm From(PipelineStage s) => new()
    {
        Name = s.Name, Kind = s.Kind, After = s.After?.ToList(), BuildDefinition = s.BuildDefinition, BlockCritical = s.Scan?.BlockCritical ?? true,
        MaxHigh = s.Scan?.MaxHigh, OnlyWithFix = s.Scan?.OnlyWithFix ?? false,
        Targets = s.Targets is { Count: > 0 } targets ? targets.Select(TargetForm.From).ToList() : [new()], WaitForRollout = s.WaitForRollout,
        TimeoutMinutes = s.TimeoutMinutes, ApprovalBy = s.ApprovalBy, Production = s.Production,
    };

    public PipelineStage ToStage() => new(
        Name.Trim(), Kind, After is { Count: > 0 } after ? after.ToList() : null,
        Kind == StageKind.Build ? BuildDefinition : null,
        Kind == StageKind.ScanGate ? new ScanGateSpec(BlockCritical, MaxHigh, OnlyWithFix) : null,
        Deploys ? Targets.Select(t => t.ToTarget()).ToList() : null,
        WaitForRollout, TimeoutMinutes, ApprovalBy, Deploys && Production);
}

public sealed class TargetForm
{
    public Guid? ServiceMap { get; set; }
    public string Workload { get; set; } = "";
    public string Containers { get; set; } = "";
    public IReadOnlyDictionary<string, string>? Env { get; set; }
    public int? Replicas { get; set; }

    public static TargetForm From(DeployTarget t) => new()
    {
        ServiceMap = t.ServiceMap, Workload = t.Workload, Containers = string.Join(", ", t.Containers), Env = t.Env, Replicas = t.Replicas,
    };

    public DeployTarget ToTarget() => new(
        ServiceMap ?? Guid.Empty, Workload.Trim(),
        Containers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), Env, Replicas);
}

/// <summary>
/// The server's field paths as the form names its fields: `stages[1].after`, `source.gitUrl`, whichever way the
/// validator spelled them (`Definition.Stages[1].After`).
/// </summary>
public static partial class PipelineFieldPaths
{
    public static Failure? Normalize(Failure? failure)
    {
        if (failure?.FieldErrors is not { Count: > 0 } fields) return failure;
        var normalized = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in fields)
        {
            var path = Normalize(field);
            normalized[path] = normalized.TryGetValue(path, out var had) ? [.. had, .. messages] : messages;
        }
        return failure with { FieldErrors = normalized };
    }

    public static string Normalize(string field)
    {
        var path = DefinitionPrefix().Replace(field, "");
        return string.Join('.', path.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));
    }

    [GeneratedRegex("^(definition|Definition)\\.")]
    private static partial Regex DefinitionPrefix();
}
