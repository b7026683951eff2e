using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Pipelines.Delivery;

/// <summary>What each stage (environment) of a pipeline runs now, in the pipeline's stage order.</summary>
public sealed record ListPipelineEnvironments(Guid PipelineId) : IRequest<IReadOnlyList<PipelineEnvironmentView>>;

/// <summary>What every pipeline of a workspace runs now, by pipeline name then stage order.</summary>
public sealed record ListWorkspaceEnvironments(Guid WorkspaceId) : IRequest<IReadOnlyList<PipelineEnvironmentView>>;

/// <summary>
/// The four DORA keys of a workspace's production deploys (of one pipeline when given) over the last
/// <see cref="Days"/> UTC days, today included.
/// </summary>
public sealed record GetDeliveryMetrics(Guid WorkspaceId, int Days = 30, Guid? PipelineId = null) : IRequest<DeliveryMetricsView>;

/// <summary>The report with what it is about.</summary>
public sealed record DeliveryMetricsView(Guid WorkspaceId, Guid? PipelineId, string? PipelineName, DeliveryReport Report);

public sealed class GetDeliveryMetricsValidator : AbstractValidator<GetDeliveryMetrics>
{
    public GetDeliveryMetricsValidator() =>
        RuleFor(x => x.Days).InclusiveBetween(1, DeliveryMetrics.MaxDays).WithMessage($"days is 1 to {DeliveryMetrics.MaxDays}.");
}

public static class DeliveryQueriesHandler
{
    public const string NoSuchPipeline = "No such pipeline.";

    public static async Task<Result<IReadOnlyList<PipelineEnvironmentView>>> Handle(ListPipelineEnvironments query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var pipeline = await ReadablePipelineAsync(session, actor, query.PipelineId, ct);
        if (pipeline.Failure is { } denied) return denied;
        var environments = await session.Query<PipelineEnvironmentView>().Where(e => e.PipelineId == query.PipelineId).ToListAsync(ct);
        return Result<IReadOnlyList<PipelineEnvironmentView>>.Ok(InStageOrder(environments, [pipeline.Value!]));
    }

    public static async Task<Result<IReadOnlyList<PipelineEnvironmentView>>> Handle(ListWorkspaceEnvironments query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        var pipelines = await session.Query<PipelineView>().Where(p => p.WorkspaceId == query.WorkspaceId).ToListAsync(ct);
        var environments = await session.Query<PipelineEnvironmentView>().Where(e => e.WorkspaceId == query.WorkspaceId).ToListAsync(ct);
        return Result<IReadOnlyList<PipelineEnvironmentView>>.Ok(InStageOrder(environments, pipelines));
    }

    public static async Task<Result<DeliveryMetricsView>> Handle(GetDeliveryMetrics query, Actor actor, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } denied) return denied;
        PipelineView? pipeline = null;
        if (query.PipelineId is { } pipelineId)
        {
            pipeline = await session.LoadAsync<PipelineView>(pipelineId, ct);
            if (pipeline is null || pipeline.WorkspaceId != query.WorkspaceId) return Failure.NotFound(NoSuchPipeline);
        }

        // Whole UTC days, today the last, so each bucket is a calendar day on the chart.
        var to = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        var from = to.AddDays(-query.Days);
        // Everything from the window's start on: successes after a failure (even later ones) close it.
        var records = session.Query<DeliveryRecord>()
            .Where(r => r.WorkspaceId == query.WorkspaceId && r.Succeeded != null && r.At >= from);
        if (pipeline is not null) records = records.Where(r => r.PipelineId == pipeline.Id);
        var outcomes = (await records.ToListAsync(ct)).Select(r => r.ToOutcome());
        return new DeliveryMetricsView(query.WorkspaceId, pipeline?.Id, pipeline?.Name, DeliveryMetrics.Compute(outcomes, from, to));
    }

    /// <summary>A pipeline the actor may read (a stranger gets the same 404 as for a pipeline that does not exist).</summary>
    private static async Task<Result<PipelineView>> ReadablePipelineAsync(IQuerySession session, Actor actor, Guid pipelineId, CancellationToken ct)
    {
        var pipeline = await session.LoadAsync<PipelineView>(pipelineId, ct);
        if (pipeline is null) return Failure.NotFound(NoSuchPipeline);
        var workspace = await TenancyAccess.LoadAsync(session, actor, pipeline.WorkspaceId, null, ct);
        return workspace.Failure is null ? pipeline : Failure.NotFound(NoSuchPipeline);
    }

    /// <summary>
    /// Only environments of pipelines that still exist (a deleted pipeline's environments are history, not "now"),
    /// under the pipeline's current name, by that name, then in the order the pipeline's stages run.
    /// </summary>
    private static List<PipelineEnvironmentView> InStageOrder(IEnumerable<PipelineEnvironmentView> environments, IReadOnlyList<PipelineView> pipelines)
    {
        var byId = pipelines.ToDictionary(p => p.Id);
        var current = environments.Where(e => byId.ContainsKey(e.PipelineId)).ToList();
        foreach (var e in current) e.PipelineName = byId[e.PipelineId].Name;
        return current
            .OrderBy(e => byId[e.PipelineId].Name, StringComparer.Ordinal).ThenBy(e => e.PipelineId)
            .ThenBy(e => StageIndex(byId[e.PipelineId], e.Stage)).ThenBy(e => e.Stage, StringComparer.Ordinal)
            .ToList();
    }

    private static int StageIndex(PipelineView pipeline, string stage)
    {
        var ordered = pipeline.Definition.Ordered();
        for (var i = 0; i < ordered.Count; i++)
            if (ordered[i].Name == stage) return i;
        return int.MaxValue;
    }
}
