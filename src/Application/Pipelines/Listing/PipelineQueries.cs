using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Marten;

namespace Cocktail.Application.Pipelines.Listing;

/// <summary>A workspace's pipelines by name, each with how its last run's stages went.</summary>
public sealed record ListPipelines(Guid WorkspaceId, int Page = 1, int PageSize = 50) : IRequest<Page<PipelineListItem>>;

public sealed record GetPipeline(Guid PipelineId) : IRequest<PipelineView>;

/// <summary>The pipeline's current definition as YAML, its service maps and build definitions by name.</summary>
public sealed record GetPipelineYaml(Guid PipelineId) : IRequest<PipelineYamlText>;

/// <summary>Every version of the definition, each with the one before it, who made it, when and why.</summary>
public sealed record GetPipelineVersions(Guid PipelineId) : IRequest<IReadOnlyList<PipelineVersion>>;

public sealed record PipelineYamlText(Guid PipelineId, int Version, string Yaml);

public sealed record PipelineVersion(int Version, PipelineDefinition? Before, PipelineDefinition After, string? Reason, string By, DateTimeOffset At);

public sealed record StageStatus(string Name, StageKind Kind, StepStatus? Status);

public sealed record LastRun(Guid Id, int Number, RunStatus Status, DateTimeOffset QueuedAt, DateTimeOffset? EndedAt);

/// <summary>One row of the pipeline list: its stages in run order, each with its status in the last run (none yet: null).</summary>
public sealed record PipelineListItem(
    Guid Id, string Name, string? Description, int Version, PipelineSourceKind Source, IReadOnlyList<StageStatus> Stages, LastRun? LastRun,
    DateTimeOffset ChangedAt, string ChangedBy);

public static class PipelineQueriesHandler
{
    public static async Task<Result<Page<PipelineListItem>>> Handle(ListPipelines query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        var page = await Paging.ToPageAsync(session.Query<PipelineView>().Where(p => p.WorkspaceId == query.WorkspaceId).OrderBy(p => p.Name),
            query.Page, query.PageSize, ct);
        var lastRuns = await LastRunsAsync(session, page.Items.Select(p => p.Id).ToArray(), ct);
        var items = page.Items.Select(p =>
        {
            var run = lastRuns.GetValueOrDefault(p.Id);
            var stages = p.Definition.Ordered()
                .Select(s => new StageStatus(s.Name, s.Kind, run?.Steps.FirstOrDefault(step => step.Name == s.Name)?.Status)).ToList();
            return new PipelineListItem(p.Id, p.Name, p.Definition.Description, p.Version, p.Definition.Source.Kind, stages,
                run is null ? null : new LastRun(run.Id, run.Number, run.Status, run.QueuedAt, run.EndedAt), p.ChangedAt, p.ChangedBy);
        }).ToList();
        return new Page<PipelineListItem>(items, page.Total, page.PageNumber, page.PageSize);
    }

    /// <summary>
    /// The run with the highest number of each pipeline, for a page of pipelines in one statement (LINQ has no
    /// DISTINCT ON; documents are stored camelCase).
    /// </summary>
    private static async Task<Dictionary<Guid, PipelineRunView>> LastRunsAsync(IQuerySession session, Guid[] pipelineIds, CancellationToken ct)
    {
        if (pipelineIds.Length == 0) return [];
        var table = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(PipelineRunView)).TableName.QualifiedName;
        var runs = await session.QueryAsync<PipelineRunView>(
            $"select distinct on (d.data ->> 'pipelineId') d.data from {table} as d where d.data ->> 'pipelineId' = ANY(?) " +
            "order by d.data ->> 'pipelineId', (d.data ->> 'number')::int desc",
            ct, [pipelineIds.Select(id => id.ToString()).ToArray()]);
        return runs.ToDictionary(r => r.PipelineId);
    }

    public static async Task<Result<PipelineView>> Handle(GetPipeline query, Actor actor, IQuerySession session, CancellationToken ct) =>
        (await PipelineAccess.LoadAsync(session, actor, query.PipelineId, null, ct)).Map(p => p.Pipeline);

    public static async Task<Result<PipelineYamlText>> Handle(GetPipelineYaml query, Actor actor, IQuerySession session, IPipelineYaml yaml,
        CancellationToken ct)
    {
        var loaded = await PipelineAccess.LoadAsync(session, actor, query.PipelineId, null, ct);
        if (loaded.Failure is { } denied) return denied;
        var pipeline = loaded.Value.Pipeline;
        return new PipelineYamlText(pipeline.Id, pipeline.Version, await PipelineYamlNames.WriteAsync(session, yaml, pipeline.Definition, ct));
    }

    public static async Task<Result<IReadOnlyList<PipelineVersion>>> Handle(GetPipelineVersions query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var loaded = await PipelineAccess.LoadAsync(session, actor, query.PipelineId, null, ct);
        if (loaded.Failure is { } denied) return denied;
        var events = await session.Events.FetchStreamAsync(query.PipelineId, token: ct);
        var versions = new List<PipelineVersion>();
        foreach (var e in events)
            switch (e.Data)
            {
                case PipelineCreated created:
                    versions.Add(new PipelineVersion(1, null, created.Definition, null, created.CreatedBy.Name, created.CreatedAt));
                    break;
                case PipelineChanged changed:
                    versions.Add(new PipelineVersion(changed.Version, changed.Before, changed.After, changed.Reason, changed.ChangedBy.Name, changed.ChangedAt));
                    break;
            }
        return Result<IReadOnlyList<PipelineVersion>>.Ok(versions);
    }
}
