using Cocktail.Application.Builds;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.Pipelines.Triggering;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Registries;
using Cronos;
using Marten;

namespace Cocktail.Application.Pipelines;

/// <summary>
/// What a definition must also be within its workspace, checked once its own <see cref="PipelineDefinition.Check"/>
/// passes: it deploys only into the workspace's service maps and builds only with its build definitions, its filters
/// and schedule parse, and a scan gate only where scanning runs. Every problem comes back at once, by field.
/// </summary>
public static class PipelineChecks
{
    public const string NotOurServiceMap = "This is not a service map of this workspace.";
    public const string NotOurBuildDefinition = "This is not a build definition of this workspace.";

    public static async Task<Failure?> CheckAsync(IQuerySession session, WorkspaceView workspace, PipelineDefinition definition, ImageScanningOptions scanning,
        CancellationToken ct)
    {
        if (definition.Check() is { } refused) return Failure.From(refused);
        var problems = new Dictionary<string, string[]>();

        var mapIds = definition.Stages.SelectMany(s => s.Targets ?? []).Select(t => t.ServiceMap).Distinct().ToArray();
        var buildIds = definition.Stages.Select(s => s.BuildDefinition).OfType<Guid>().Distinct().ToArray();
        var ours = (await session.LoadManyAsync<ServiceMapView>(ct, mapIds)).Where(m => m.WorkspaceId == workspace.Id).Select(m => m.Id).ToHashSet();
        var ourBuilds = (await session.LoadManyAsync<BuildDefinitionView>(ct, buildIds)).Where(b => b.WorkspaceId == workspace.Id).Select(b => b.Id).ToHashSet();

        for (var i = 0; i < definition.Stages.Count; i++)
        {
            var stage = definition.Stages[i];
            if (stage.BuildDefinition is { } build && !ourBuilds.Contains(build)) problems[$"stages[{i}].buildDefinition"] = [NotOurBuildDefinition];
            if (stage.Kind == StageKind.ScanGate && !scanning.Enabled)
                problems[$"stages[{i}].kind"] = ["Image scanning is off on this platform, so a scan gate would never pass: remove the stage, or ask a platform admin to turn scanning on."];
            for (var j = 0; j < (stage.Targets?.Count ?? 0); j++)
                if (!ours.Contains(stage.Targets![j].ServiceMap)) problems[$"stages[{i}].targets[{j}].serviceMap"] = [NotOurServiceMap];
        }

        var source = definition.Source;
        if (source.Kind == PipelineSourceKind.Registry && source.Repository is { } repository)
        {
            if (repository.StartsWith(workspace.Name + "/", StringComparison.Ordinal))
                problems["source.repository"] = [$"Name the repository inside the workspace, without '{workspace.Name}/' before it."];
            else if (!RepositoryNames.IsValid(RepositoryNames.InWorkspace(workspace.Name, repository)))
                problems["source.repository"] = [$"With the workspace's name before it, the repository name is too long: it has {RepositoryNames.Rule}."];
        }
        if (RefFilters.Check(source.Branches) is { } branches) problems["source.branches"] = [branches];
        if (RefFilters.Check(source.Tags) is { } tags) problems["source.tags"] = [tags];
        if (CheckSchedule(definition.EffectiveTriggers.Schedule) is { } schedule) problems["triggers.schedule"] = [schedule];

        return problems.Count == 0 ? null : new Failure(FailureKind.Invalid, problems.First().Value[0], problems);
    }

    /// <summary>Null when the schedule is empty or a standard five-field cron expression (evaluated in UTC), else why not.</summary>
    public static string? CheckSchedule(string? schedule)
    {
        if (string.IsNullOrWhiteSpace(schedule)) return null;
        return CronExpression.TryParse(schedule.Trim(), CronFormat.Standard, out _)
            ? null
            : $"'{schedule}' is not a cron schedule: five fields (minute hour day-of-month month day-of-week), in UTC, e.g. '0 3 * * 1-5'.";
    }
}
