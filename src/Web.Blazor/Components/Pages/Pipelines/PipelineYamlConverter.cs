using Cocktail.Application.Builds;
using Cocktail.Application.Common;
using Cocktail.Application.Pipelines;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Pipelines;

namespace Cocktail.Web.Components.Pages.Pipelines;

/// <summary>
/// The definition as the YAML tab shows it, with service maps and build definitions by name, through the same reader
/// and writer as the API; names are resolved against the workspace's lists the page already read (as the server's
/// <see cref="PipelineYamlNames"/> does), so switching tabs needs no round trip. Saving sends the YAML itself, and the
/// server's reading of it is the one that counts.
/// </summary>
public sealed class PipelineYamlConverter(IPipelineYaml yaml, IReadOnlyList<ServiceMapView> maps, IReadOnlyList<BuildDefinitionView> builds)
{
    public string Write(PipelineDefinition definition) => yaml.Write(PipelineYamlNames.ToDocument(definition,
        id => id == Guid.Empty ? "" : maps.FirstOrDefault(m => m.Id == id)?.Name ?? id.ToString(),
        id => builds.FirstOrDefault(b => b.Id == id)?.Name ?? id.ToString()));

    public Result<PipelineDefinition> Read(string text)
    {
        var (document, errors) = yaml.Read(text);
        if (document is null) return new Failure(FailureKind.Invalid, "The YAML is not a pipeline definition Cocktail can read.", errors);
        var problems = new Dictionary<string, string[]>();
        Guid? Resolve(string? name, string path, string what, IEnumerable<(Guid Id, string Name)> known)
        {
            if (string.IsNullOrWhiteSpace(name)) return null;
            var named = known.Where(k => k.Name == name).Select(k => k.Id).Distinct().ToList();
            if (named.Count == 1) return named[0];
            if (Guid.TryParse(name, out var id)) return id;
            problems[path] = [named.Count > 1 ? $"{named.Count} {what}s are named '{name}': give the id of the one meant." : $"This workspace has no {what} named '{name}'."];
            return null;
        }
        var stages = (document.Stages ?? []).Select((s, i) => s is null ? null! : new PipelineStage(
            s.Name ?? "", s.Kind ?? StageKind.Deploy, s.After,
            Resolve(s.BuildDefinition, $"stages[{i}].buildDefinition", "build definition", builds.Select(b => (b.Id, b.Name))),
            s.Scan is null ? null : new ScanGateSpec(s.Scan.BlockCritical ?? true, s.Scan.MaxHigh, s.Scan.OnlyWithFix ?? false),
            (s.Targets ?? []).Select((t, j) => t is null ? null! : new DeployTarget(
                Resolve(t.ServiceMap, $"stages[{i}].targets[{j}].serviceMap", "service map", maps.Select(m => (m.Id, m.Name))) ?? Guid.Empty,
                t.Workload ?? "", t.Containers ?? [], t.Env, t.Replicas)).ToList(),
            s.WaitForRollout ?? true, s.TimeoutMinutes ?? 10, s.ApprovalBy, s.Production ?? false)).ToList();
        if (problems.Count > 0) return new Failure(FailureKind.Invalid, "The YAML names what this workspace does not have.", problems);
        var source = document.Source is not { } s0
            ? new PipelineSource(PipelineSourceKind.Registry)
            : new PipelineSource(s0.Kind ?? (s0.Repository is not null && s0.GitUrl is null ? PipelineSourceKind.Registry : PipelineSourceKind.Git),
                s0.GitUrl, s0.Branches, s0.Repository, s0.Tags);
        var triggers = document.Triggers is not { } t0 ? null : new PipelineTriggers(t0.GitPush, t0.RegistryPush ?? false, t0.Schedule);
        var concurrency = document.Concurrency is not { } c0 ? null : new PipelineConcurrency(c0.MaxRuns ?? 1, c0.WhenBusy ?? WhenBusy.Queue);
        return new PipelineDefinition(document.Name ?? "", source, stages, triggers, concurrency, document.Description);
    }
}
