using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cronos;
using Marten;
using Marten.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Pipelines.Triggering;

/// <summary>The scheduler's tick (leader replica only): start the runs whose cron schedule came due by <see cref="Now"/>.</summary>
[MessageIdentity("Cocktail.Application.Pipelines.RunScheduledPipelines")]
public sealed record RunScheduledPipelines(DateTimeOffset Now);

/// <summary>
/// When a pipeline's schedule last fired. Made at first sight with that moment, so a new (or newly scheduled) pipeline
/// starts counting from then: occurrences before it are never run after the fact, and missed ones fire once, not each.
/// </summary>
[UseOptimisticConcurrency]
public sealed class PipelineScheduleMark
{
    public Guid Id { get; set; }
    public DateTimeOffset LastFiredAt { get; set; }
    /// <summary>The schedule the mark counts for: a changed expression starts counting afresh.</summary>
    public string Schedule { get; set; } = "";
}

public static class RunScheduledPipelinesHandler
{
    public static readonly ActorRef Actor = new(Guid.Empty, "schedule");

    public static async Task Handle(RunScheduledPipelines command, IDocumentSession session, IOptions<RegistryOptions> registry, IMessageContext messages,
        ILogger<RunScheduledPipelines> logger, CancellationToken ct)
    {
        var now = command.Now;
        var pipelines = await session.Query<PipelineView>().Where(p => p.Definition.Triggers != null && p.Definition.Triggers.Schedule != null).ToListAsync(ct);
        if (pipelines.Count == 0) return;
        var marks = (await session.LoadManyAsync<PipelineScheduleMark>(ct, pipelines.Select(p => p.Id).ToArray())).ToDictionary(m => m.Id);
        foreach (var pipeline in pipelines)
        {
            var schedule = pipeline.Definition.EffectiveTriggers.Schedule!.Trim();
            if (Parse(schedule) is not { } cron)
            {
                logger.LogWarning("Pipeline {Pipeline} has a schedule that does not parse; it never fires", pipeline.Id);
                continue;
            }
            if (!marks.TryGetValue(pipeline.Id, out var mark) || mark.Schedule != schedule)
            {
                session.Store(new PipelineScheduleMark { Id = pipeline.Id, LastFiredAt = now, Schedule = schedule });
                continue;
            }
            var next = cron.GetNextOccurrence(mark.LastFiredAt.UtcDateTime, TimeZoneInfo.Utc);
            if (next is null || next.Value > now.UtcDateTime) continue;

            mark.LastFiredAt = now;
            session.Store(mark);
            var (trigger, artifact, skipped) = await WhatToRunAsync(session, pipeline, schedule, registry.Value, ct);
            if (skipped is not null)
            {
                logger.LogInformation("Pipeline {Pipeline}'s schedule came due but nothing runs: {Reason}", pipeline.Id, skipped);
                continue;
            }
            await messages.PublishAsync(new QueuePipelineRun(pipeline.Id, trigger!, artifact, Actor));
        }
    }

    /// <summary>A cron expression of 5 fields (or 6, with seconds first), UTC; null when it does not parse.</summary>
    public static CronExpression? Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.TryParse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard, out var cron) ? cron : null;
    }

    /// <summary>
    /// A git pipeline runs its branch when the filter names exactly one (else the build definitions' own refs); a registry
    /// pipeline runs the newest pushed tag its filter passes (none pushed: nothing to run).
    /// </summary>
    private static async Task<(RunTrigger? Trigger, PipelineArtifact? Artifact, string? Skipped)> WhatToRunAsync(IQuerySession session, PipelineView pipeline,
        string schedule, RegistryOptions registry, CancellationToken ct)
    {
        var source = pipeline.Definition.Source;
        if (source.Kind == PipelineSourceKind.Git)
            return (new RunTrigger(TriggerKind.Schedule, Ref: SingleBranch(source.Branches), Detail: schedule), null, null);

        if (registry.Address is not { Length: > 0 } address) return (null, null, "no registry is configured");
        var name = RegistryImagePushedHandler.FullName(pipeline.WorkspaceName, source.Repository!);
        var repository = await session.Query<ImageRepositoryView>().FirstOrDefaultAsync(r => r.Name == name, ct);
        var newest = repository?.Tags.Where(t => RefFilters.Matches(source.Tags, t.Tag)).MaxBy(t => t.PushedAt);
        if (newest is null) return (null, null, $"no tag of {name} passes the tag filter");
        return (new RunTrigger(TriggerKind.Schedule, Tag: newest.Tag, Digest: newest.Digest, Detail: schedule),
            new PipelineArtifact($"{address}/{name}", newest.Tag, newest.Digest), null);
    }

    /// <summary>The branch a filter names when it is one literal branch ("main"), else null.</summary>
    public static string? SingleBranch(string? filter)
    {
        var trimmed = filter?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.IndexOfAny([',', '*', '?', '!', ' ']) >= 0 ? null : trimmed;
    }
}
