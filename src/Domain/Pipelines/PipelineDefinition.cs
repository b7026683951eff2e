using System.Text.Json;
using System.Text.Json.Serialization;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Pipelines;

public enum PipelineSourceKind { Git, Registry }

/// <summary>
/// What starts a pipeline's runs: pushes to a git repository's branches (filter: comma-separated globs), or tags
/// pushed to a repository of the workspace registry (filter on the tag).
/// </summary>
public sealed record PipelineSource(PipelineSourceKind Kind, string? GitUrl = null, string? Branches = null, string? Repository = null, string? Tags = null);

/// <summary>Build an image; gate it on its scan; deploy it; promote what an earlier environment runs to the next one.</summary>
public enum StageKind { Build, ScanGate, Deploy, Promote }

/// <summary>The scan gate's own rules: the run waits for the image's scan, then passes or fails on these.</summary>
public sealed record ScanGateSpec(bool BlockCritical = true, int? MaxHigh = null, bool OnlyWithFix = false);

/// <summary>Set the image of named containers of a workload in a service map, and optionally env values and replicas.</summary>
public sealed record DeployTarget(
    Guid ServiceMap, string Workload, IReadOnlyList<string> Containers, IReadOnlyDictionary<string, string>? Env = null, int? Replicas = null);

/// <summary>
/// One stage. <see cref="After"/> names the stages it waits for: omitted, the stage before it in the list; empty,
/// none. A stage with <see cref="ApprovalBy"/> waits for a member with that role (or higher) to approve it.
/// </summary>
public sealed record PipelineStage(
    string Name, StageKind Kind, IReadOnlyList<string>? After = null, Guid? BuildDefinition = null, ScanGateSpec? Scan = null,
    IReadOnlyList<DeployTarget>? Targets = null, bool WaitForRollout = true, int TimeoutMinutes = 10, WorkspaceRole? ApprovalBy = null,
    bool Production = false);

public enum WhenBusy { Queue, CancelOlder }

/// <summary>How runs start besides by hand: git push webhooks of a provider, registry pushes, a cron schedule (UTC).</summary>
public sealed record PipelineTriggers(GitProvider? GitPush = null, bool RegistryPush = false, string? Schedule = null);

/// <summary>At most <see cref="MaxRuns"/> runs at once; a further run waits its turn or cancels the oldest.</summary>
public sealed record PipelineConcurrency(int MaxRuns = 1, WhenBusy WhenBusy = WhenBusy.Queue);

/// <summary>A pipeline as its author wrote it (form or YAML: the same model). Every change stores it whole, before and after.</summary>
public sealed record PipelineDefinition(
    string Name, PipelineSource Source, IReadOnlyList<PipelineStage> Stages, PipelineTriggers? Triggers = null,
    PipelineConcurrency? Concurrency = null, string? Description = null)
{
    public const int MaxStages = 20;
    public const int MaxTargets = 20;

    private static readonly JsonSerializerOptions Canonical = new()
    {
        Converters = { new JsonStringEnumConverter() }, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    [JsonIgnore] public PipelineTriggers EffectiveTriggers => Triggers ?? new PipelineTriggers();
    [JsonIgnore] public PipelineConcurrency EffectiveConcurrency => Concurrency ?? new PipelineConcurrency();

    /// <summary>Value equality through the lists and maps (records compare those by reference).</summary>
    public bool SameAs(PipelineDefinition other) =>
        JsonSerializer.Serialize(this, Canonical) == JsonSerializer.Serialize(other, Canonical);

    /// <summary>The stages a stage waits for: as written, or the one before it.</summary>
    public IReadOnlyList<string> AfterOf(PipelineStage stage)
    {
        if (stage.After is not null) return stage.After;
        var index = IndexOf(stage.Name);
        return index > 0 ? [Stages[index - 1].Name] : [];
    }

    public PipelineStage? Stage(string name) => Stages.FirstOrDefault(s => s.Name == name);

    /// <summary>The environment DORA counts as production: the stage marked so, else the last deploy or promote in run order.</summary>
    [JsonIgnore]
    public string? ProductionStage =>
        Stages.FirstOrDefault(s => s.Production)?.Name ?? Ordered().LastOrDefault(s => s.Kind is StageKind.Deploy or StageKind.Promote)?.Name;

    /// <summary>Every stage before its dependents (ties in list order). Assumes a checked definition (no cycle).</summary>
    public IReadOnlyList<PipelineStage> Ordered()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<PipelineStage>(Stages.Count);
        while (ordered.Count < Stages.Count)
        {
            var next = Stages.FirstOrDefault(s => !done.Contains(s.Name) && AfterOf(s).All(done.Contains));
            if (next is null) break;
            ordered.Add(next);
            done.Add(next.Name);
        }
        return ordered;
    }

    /// <summary>Every stage <paramref name="stage"/> waits for, directly or not.</summary>
    public IReadOnlySet<string> Ancestors(string stage)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var todo = new Stack<string>(Stage(stage) is { } s ? AfterOf(s) : []);
        while (todo.TryPop(out var name))
            if (seen.Add(name) && Stage(name) is { } parent)
                foreach (var up in AfterOf(parent)) todo.Push(up);
        return seen;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < Stages.Count; i++) if (Stages[i].Name == name) return i;
        return -1;
    }

    /// <summary>Why the definition cannot be saved (with the field, as a path), or null. Workspace checks (service maps, build definitions) are the caller's.</summary>
    public DomainError? Check()
    {
        if (!DnsLabel.IsValid(Name)) return DomainError.Invalid($"The pipeline's name has {DnsLabel.Rule}.", "name");
        if (Description is { Length: > 500 }) return DomainError.Invalid("The description has at most 500 characters.", "description");
        if (CheckSource() is { } source) return source;
        if (Stages is null || Stages.Count == 0) return DomainError.Invalid("A pipeline has at least one stage.", "stages");
        if (Stages.Count > MaxStages) return DomainError.Invalid($"A pipeline has at most {MaxStages} stages.", "stages");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            if (stage is null) return DomainError.Invalid("A stage is missing.", $"stages[{i}]");
            if (!DnsLabel.IsValid(stage.Name)) return DomainError.Invalid($"A stage's name has {DnsLabel.Rule}.", $"stages[{i}].name");
            if (!names.Add(stage.Name)) return DomainError.Invalid($"Two stages are named '{stage.Name}'.", $"stages[{i}].name");
        }
        for (var i = 0; i < Stages.Count; i++)
            if (CheckStage(Stages[i], $"stages[{i}]", names) is { } stage) return stage;
        if (FindCycle() is { } cycle)
            return DomainError.Invalid($"The stages wait for each other in a cycle: {string.Join(" → ", cycle)}.", "stages");
        for (var i = 0; i < Stages.Count; i++)
            if (CheckInputs(Stages[i], $"stages[{i}]") is { } inputs) return inputs;
        if (Stages.Count(s => s.Production) > 1) return DomainError.Invalid("At most one stage is production.", "stages");
        if (Stages.FirstOrDefault(s => s.Production && s.Kind is not (StageKind.Deploy or StageKind.Promote)) is { } notDeploy)
            return DomainError.Invalid($"Stage '{notDeploy.Name}' does not deploy, so it cannot be production.", $"stages[{IndexOf(notDeploy.Name)}].production");
        return CheckTriggers();
    }

    private DomainError? CheckSource()
    {
        if (Source is null) return DomainError.Invalid("Say where runs come from: a git repository or a registry repository.", "source");
        if (Source.Branches is { Length: > 500 }) return DomainError.Invalid("The branch filter has at most 500 characters.", "source.branches");
        if (Source.Tags is { Length: > 500 }) return DomainError.Invalid("The tag filter has at most 500 characters.", "source.tags");
        return Source.Kind switch
        {
            PipelineSourceKind.Git when !BuildRules.IsValidGitUrl(Source.GitUrl) =>
                DomainError.Invalid("The git URL is http(s)://, ssh:// or git@host:path, without credentials in it.", "source.gitUrl"),
            PipelineSourceKind.Registry when !RepositoryNames.IsValid(Source.Repository) =>
                DomainError.Invalid($"The registry repository (inside the workspace) has {RepositoryNames.Rule}.", "source.repository"),
            _ => null,
        };
    }

    private static DomainError? CheckStage(PipelineStage stage, string path, HashSet<string> names)
    {
        foreach (var after in stage.After ?? [])
        {
            if (after == stage.Name) return DomainError.Invalid($"Stage '{stage.Name}' cannot wait for itself.", $"{path}.after");
            if (!names.Contains(after)) return DomainError.Invalid($"Stage '{stage.Name}' waits for '{after}', which is not a stage of this pipeline.", $"{path}.after");
        }
        if (stage.TimeoutMinutes is < 1 or > 24 * 60) return DomainError.Invalid("A stage times out after 1 minute to 24 hours.", $"{path}.timeoutMinutes");
        if (stage.ApprovalBy == WorkspaceRole.Viewer) return DomainError.Invalid("Viewers cannot approve: choose Developer or WorkspaceAdmin.", $"{path}.approvalBy");
        switch (stage.Kind)
        {
            case StageKind.Build when stage.BuildDefinition is null:
                return DomainError.Invalid($"Build stage '{stage.Name}' names the build definition it runs.", $"{path}.buildDefinition");
            case StageKind.ScanGate when stage.Scan is { MaxHigh: < 0 }:
                return DomainError.Invalid("The most High findings allowed is 0 or more.", $"{path}.scan.maxHigh");
            case StageKind.Deploy or StageKind.Promote:
                if (stage.Targets is null || stage.Targets.Count == 0)
                    return DomainError.Invalid($"Stage '{stage.Name}' deploys to at least one workload of a service map.", $"{path}.targets");
                if (stage.Targets.Count > MaxTargets) return DomainError.Invalid($"A stage deploys to at most {MaxTargets} workloads.", $"{path}.targets");
                for (var t = 0; t < stage.Targets.Count; t++)
                    if (CheckTarget(stage.Targets[t], $"{path}.targets[{t}]") is { } target) return target;
                if (stage.Targets.GroupBy(t => (t.ServiceMap, t.Workload)).FirstOrDefault(g => g.Count() > 1) is { } twice)
                    return DomainError.Invalid($"Workload '{twice.Key.Workload}' is a target twice in stage '{stage.Name}'.", $"{path}.targets");
                break;
        }
        return null;
    }

    private static DomainError? CheckTarget(DeployTarget? target, string path)
    {
        if (target is null) return DomainError.Invalid("A target is missing.", path);
        if (target.ServiceMap == Guid.Empty) return DomainError.Invalid("Choose the service map to deploy to.", $"{path}.serviceMap");
        if (!DnsLabel.IsValid(target.Workload)) return DomainError.Invalid($"The workload's name has {DnsLabel.Rule}.", $"{path}.workload");
        if (target.Containers is null || target.Containers.Count == 0)
            return DomainError.Invalid("Name the containers whose image the stage sets.", $"{path}.containers");
        if (target.Containers.FirstOrDefault(c => !DnsLabel.IsValid(c)) is { } bad)
            return DomainError.Invalid($"'{bad}' is not a container name ({DnsLabel.Rule}).", $"{path}.containers");
        if (target.Env is { Count: > 50 }) return DomainError.Invalid("At most 50 env values per target.", $"{path}.env");
        if (target.Env?.Keys.FirstOrDefault(k => !IsEnvName(k)) is { } env)
            return DomainError.Invalid($"'{env}' is not an environment variable name (letters, digits, '_', '-', '.', not starting with a digit).", $"{path}.env");
        if (target.Env?.Values.Any(v => v is null || v.Length > 4096) == true) return DomainError.Invalid("An env value has at most 4096 characters.", $"{path}.env");
        if (target.Replicas is < 0 or > 1000) return DomainError.Invalid("Replicas go from 0 to 1000.", $"{path}.replicas");
        return null;
    }

    private static bool IsEnvName(string name) =>
        name is { Length: > 0 and <= 253 } && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>An image must reach every scan gate and deploy: a build before it, or a registry source; a promotion follows a deploy.</summary>
    private DomainError? CheckInputs(PipelineStage stage, string path)
    {
        if (stage.Kind is StageKind.Build) return null;
        var ancestors = Ancestors(stage.Name).Select(n => Stage(n)!).ToList();
        if (Source.Kind == PipelineSourceKind.Git && !ancestors.Any(a => a.Kind == StageKind.Build))
            return DomainError.Invalid($"Stage '{stage.Name}' needs an image: put a build stage before it, or take images from a registry repository.", $"{path}.after");
        if (stage.Kind == StageKind.Promote && !ancestors.Any(a => a.Kind is StageKind.Deploy or StageKind.Promote))
            return DomainError.Invalid($"Promote stage '{stage.Name}' promotes what an earlier environment runs: it waits for a deploy stage.", $"{path}.after");
        return null;
    }

    private DomainError? CheckTriggers()
    {
        var triggers = EffectiveTriggers;
        if (triggers.GitPush is not null && Source.Kind != PipelineSourceKind.Git)
            return DomainError.Invalid("Git push webhooks start pipelines whose source is a git repository.", "triggers.gitPush");
        if (triggers.RegistryPush && Source.Kind != PipelineSourceKind.Registry)
            return DomainError.Invalid("Registry pushes start pipelines whose source is a registry repository.", "triggers.registryPush");
        if (triggers.Schedule is { Length: > 100 }) return DomainError.Invalid("A cron schedule has at most 100 characters.", "triggers.schedule");
        var concurrency = EffectiveConcurrency;
        if (concurrency.MaxRuns is < 1 or > 10) return DomainError.Invalid("Between 1 and 10 runs of a pipeline at once.", "concurrency.maxRuns");
        return null;
    }

    /// <summary>A cycle among the stages' waits, as the names along it, or null (depth-first, three colours).</summary>
    private IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        IReadOnlyList<string>? Visit(string name)
        {
            state[name] = 1;
            path.Add(name);
            foreach (var up in AfterOf(Stage(name)!))
            {
                if (state.GetValueOrDefault(up) == 1) return [.. path.SkipWhile(n => n != up), up];
                if (state.GetValueOrDefault(up) == 0 && Visit(up) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }
        foreach (var stage in Stages)
            if (state.GetValueOrDefault(stage.Name) == 0 && Visit(stage.Name) is { } cycle) return cycle;
        return null;
    }
}
