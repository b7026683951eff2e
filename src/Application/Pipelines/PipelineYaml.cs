using Cocktail.Application.Builds;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Pipelines;

/// <summary>
/// A pipeline definition as its YAML says it: the same model, with service maps and build definitions named as the
/// workspace names them (<c>serviceMap: dev</c>, <c>buildDefinition: api</c>) instead of by id. Every field is
/// optional here so that a missing one is the definition's own check's field error, not a parser's.
/// </summary>
public sealed class PipelineYamlDocument
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public SourceYaml? Source { get; set; }
    public List<StageYaml?>? Stages { get; set; }
    public TriggersYaml? Triggers { get; set; }
    public ConcurrencyYaml? Concurrency { get; set; }

    public sealed class SourceYaml
    {
        public PipelineSourceKind? Kind { get; set; }
        public string? GitUrl { get; set; }
        public string? Branches { get; set; }
        public string? Repository { get; set; }
        public string? Tags { get; set; }
    }

    public sealed class StageYaml
    {
        public string? Name { get; set; }
        public StageKind? Kind { get; set; }
        public List<string>? After { get; set; }
        public string? BuildDefinition { get; set; }
        public ScanYaml? Scan { get; set; }
        public List<TargetYaml?>? Targets { get; set; }
        public bool? WaitForRollout { get; set; }
        public int? TimeoutMinutes { get; set; }
        public WorkspaceRole? ApprovalBy { get; set; }
        public bool? Production { get; set; }
    }

    public sealed class ScanYaml
    {
        public bool? BlockCritical { get; set; }
        public int? MaxHigh { get; set; }
        public bool? OnlyWithFix { get; set; }
    }

    public sealed class TargetYaml
    {
        public string? ServiceMap { get; set; }
        public string? Workload { get; set; }
        public List<string>? Containers { get; set; }
        public Dictionary<string, string>? Env { get; set; }
        public int? Replicas { get; set; }
    }

    public sealed class TriggersYaml
    {
        public GitProvider? GitPush { get; set; }
        public bool? RegistryPush { get; set; }
        public string? Schedule { get; set; }
    }

    public sealed class ConcurrencyYaml
    {
        public int? MaxRuns { get; set; }
        public WhenBusy? WhenBusy { get; set; }
    }
}

/// <summary>
/// Pipeline definitions as YAML, both ways; YamlDotNet in Infrastructure. Reading is bounded (size, depth) and refuses
/// anchors and aliases; a field the model does not have is refused, not dropped.
/// </summary>
public interface IPipelineYaml
{
    /// <summary>The document, or the problems under the field <c>yaml</c>.</summary>
    (PipelineYamlDocument? Document, IReadOnlyDictionary<string, string[]>? Errors) Read(string yaml);

    string Write(PipelineYamlDocument document);
}

/// <summary>Between the YAML's names and the definition's ids, within one workspace.</summary>
public static class PipelineYamlNames
{
    public const string Field = "yaml";

    /// <summary>The definition a YAML text says, its names resolved in the workspace; unknown names are field errors naming them.</summary>
    public static async Task<Result<PipelineDefinition>> ReadAsync(IQuerySession session, IPipelineYaml reader, Guid workspaceId, string yaml,
        CancellationToken ct)
    {
        var (document, errors) = reader.Read(yaml);
        if (document is null) return new Failure(FailureKind.Invalid, "The YAML is not a pipeline definition Cocktail can read.", errors);
        var maps = await session.Query<ServiceMapView>().Where(m => m.WorkspaceId == workspaceId).ToListAsync(ct);
        var builds = await session.Query<BuildDefinitionView>().Where(d => d.WorkspaceId == workspaceId).ToListAsync(ct);
        var problems = new Dictionary<string, string[]>();

        Guid? Resolve(string? name, string path, string what, IEnumerable<(Guid Id, string Name)> known)
        {
            if (string.IsNullOrWhiteSpace(name)) return null;
            var named = known.Where(k => k.Name == name).Select(k => k.Id).Distinct().ToList();
            if (named.Count == 1) return named[0];
            if (named.Count > 1)
            {
                problems[path] = [$"{named.Count} {what}s of this workspace are named '{name}': give the id of the one meant."];
                return null;
            }
            if (Guid.TryParse(name, out var id)) return id; // an id: the workspace checks say whether it is one of the workspace's
            problems[path] = [$"This workspace has no {what} named '{name}'."];
            return null;
        }

        var stages = document.Stages?.Select((s, i) => s is null ? null! : new PipelineStage(
            s.Name ?? "", s.Kind ?? StageKind.Deploy, s.After,
            Resolve(s.BuildDefinition, $"stages[{i}].buildDefinition", "build definition", builds.Select(b => (b.Id, b.Name))),
            s.Scan is null ? null : new ScanGateSpec(s.Scan.BlockCritical ?? true, s.Scan.MaxHigh, s.Scan.OnlyWithFix ?? false),
            s.Targets?.Select((t, j) => t is null ? null! : new DeployTarget(
                Resolve(t.ServiceMap, $"stages[{i}].targets[{j}].serviceMap", "service map", maps.Select(m => (m.Id, m.Name))) ?? Guid.Empty,
                t.Workload ?? "", t.Containers!, t.Env, t.Replicas)).ToList(),
            s.WaitForRollout ?? true, s.TimeoutMinutes ?? 10, s.ApprovalBy, s.Production ?? false)).ToList();
        for (var i = 0; i < (document.Stages?.Count ?? 0); i++)
            if (document.Stages![i] is { Kind: null } missing)
                problems[$"stages[{i}].kind"] = [$"Say what stage '{missing.Name}' does: Build, ScanGate, Deploy or Promote."];
        if (problems.Count > 0) return new Failure(FailureKind.Invalid, "The YAML names what this workspace does not have.", problems);

        var source = document.Source is not { } s0 ? null! : new PipelineSource(
            s0.Kind ?? (s0.Repository is not null && s0.GitUrl is null ? PipelineSourceKind.Registry : PipelineSourceKind.Git),
            s0.GitUrl, s0.Branches, s0.Repository, s0.Tags);
        var triggers = document.Triggers is not { } t0 ? null : new PipelineTriggers(t0.GitPush, t0.RegistryPush ?? false, t0.Schedule);
        var concurrency = document.Concurrency is not { } c0 ? null : new PipelineConcurrency(c0.MaxRuns ?? 1, c0.WhenBusy ?? WhenBusy.Queue);
        return new PipelineDefinition(document.Name ?? "", source, stages!, triggers, concurrency, document.Description);
    }

    /// <summary>The definition as YAML, with the workspace's names for its ids (an id whose object is gone stays an id).</summary>
    public static async Task<string> WriteAsync(IQuerySession session, IPipelineYaml writer, PipelineDefinition definition, CancellationToken ct)
    {
        var mapIds = definition.Stages.SelectMany(s => s.Targets ?? []).Select(t => t.ServiceMap).Distinct().ToArray();
        var buildIds = definition.Stages.Select(s => s.BuildDefinition).OfType<Guid>().Distinct().ToArray();
        var maps = (await session.LoadManyAsync<ServiceMapView>(ct, mapIds)).ToDictionary(m => m.Id, m => m.Name);
        var builds = (await session.LoadManyAsync<BuildDefinitionView>(ct, buildIds)).ToDictionary(b => b.Id, b => b.Name);
        return writer.Write(ToDocument(definition, id => maps.GetValueOrDefault(id) ?? id.ToString(), id => builds.GetValueOrDefault(id) ?? id.ToString()));
    }

    public static PipelineYamlDocument ToDocument(PipelineDefinition d, Func<Guid, string> mapName, Func<Guid, string> buildName) => new()
    {
        Name = d.Name,
        Description = d.Description,
        Source = new PipelineYamlDocument.SourceYaml
        {
            Kind = d.Source.Kind, GitUrl = d.Source.GitUrl, Branches = d.Source.Branches, Repository = d.Source.Repository, Tags = d.Source.Tags,
        },
        Stages = d.Stages.Select(s => (PipelineYamlDocument.StageYaml?)new PipelineYamlDocument.StageYaml
        {
            Name = s.Name, Kind = s.Kind, After = s.After?.ToList(),
            BuildDefinition = s.BuildDefinition is { } b ? buildName(b) : null,
            Scan = s.Scan is null ? null : new PipelineYamlDocument.ScanYaml
            {
                BlockCritical = s.Scan.BlockCritical ? null : false, MaxHigh = s.Scan.MaxHigh, OnlyWithFix = s.Scan.OnlyWithFix ? true : null,
            },
            Targets = s.Targets?.Select(t => (PipelineYamlDocument.TargetYaml?)new PipelineYamlDocument.TargetYaml
            {
                ServiceMap = mapName(t.ServiceMap), Workload = t.Workload, Containers = t.Containers.ToList(),
                Env = t.Env?.ToDictionary(e => e.Key, e => e.Value), Replicas = t.Replicas,
            }).ToList(),
            WaitForRollout = s.WaitForRollout ? null : false,
            TimeoutMinutes = s.TimeoutMinutes == 10 ? null : s.TimeoutMinutes,
            ApprovalBy = s.ApprovalBy,
            Production = s.Production ? true : null,
        }).ToList(),
        Triggers = d.Triggers is not { } t ? null : new PipelineYamlDocument.TriggersYaml
        {
            GitPush = t.GitPush, RegistryPush = t.RegistryPush ? true : null, Schedule = t.Schedule,
        },
        Concurrency = d.Concurrency is not { } c ? null : new PipelineYamlDocument.ConcurrencyYaml { MaxRuns = c.MaxRuns, WhenBusy = c.WhenBusy },
    };
}
