using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Workloads;
using Marten;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Transports.Local;

namespace Cocktail.Application.Pipelines.Running;

public sealed class RunDeployStepHandler : IConfigureLocalQueue
{
    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(PipelineStepQueues.Parallelism);

    /// <summary>
    /// Every target's new revision is decided and checked (policy, quota, image gate) before any is appended: one refusal
    /// fails the step with its reason and changes nothing. Else the revisions, their reconciles and the run's record of
    /// them are one transaction.
    /// </summary>
    public static async Task Handle(RunDeployStep command, IDocumentSession session, IMessageContext messages, ImageVerdicts images, TimeProvider clock,
        CancellationToken ct)
    {
        var run = await session.Events.FetchLatest<PipelineRun>(command.RunId, ct);
        if (run is null || run.Status != RunStatus.Running) return;
        var step = run.StepOf(command.Stage);
        if (step.Status != StepStatus.Running || step.Deployed.Count > 0 || run.Definition.Stage(command.Stage) is not { } stage) return;

        var changes = await PrepareAsync(session, run, stage, images, clock, ct);
        var now = clock.GetUtcNow();
        if (changes.Failure is { } refused)
        {
            await PipelineRunDecisions.DecideAsync(session, run.Id, r => r.Fail(stage.Name, refused.Message, now), messages, ct);
            return;
        }
        var deployed = new List<DeployedWorkload>();
        foreach (var (target, map, change) in changes.Value!)
        {
            await change.AppendAsync(messages);
            deployed.Add(new DeployedWorkload(change.Before.Id, map.Id, map.Name, target.Workload, change.Revision, change.Before.Revision));
        }
        await PipelineRunDecisions.DecideAsync(session, run.Id, r => r.RecordDeploy(stage.Name, run.Artifact!.Reference, deployed, now), messages, ct);
    }

    private static async Task<Result<List<(DeployTarget Target, ServiceMapView Map, PreparedWorkloadChange Change)>>> PrepareAsync(IDocumentSession session,
        PipelineRun run, PipelineStage stage, ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        if (run.Artifact is not { } artifact)
            return Failure.Invalid($"The run has no image to deploy: a {(run.Definition.Source.Kind == PipelineSourceKind.Git ? "build stage before this one makes it" : "tag names it")}.");
        var by = PipelineActors.For(run.PipelineId, run.PipelineName);
        var reason = $"pipeline {run.PipelineName} run #{run.Number} stage {stage.Name}";
        var now = clock.GetUtcNow();
        var changes = new List<(DeployTarget, ServiceMapView, PreparedWorkloadChange)>();
        foreach (var target in stage.Targets ?? [])
        {
            var map = await session.LoadAsync<ServiceMapView>(target.ServiceMap, ct);
            if (map is null) return Failure.NotFound($"The service map {target.ServiceMap} of stage {stage.Name} no longer exists.");
            if (map.WorkspaceId != run.WorkspaceId)
                return Failure.Forbidden($"The service map {map.Name} no longer belongs to the pipeline's workspace: nothing is deployed there.");
            var workload = await session.Query<WorkloadView>().FirstOrDefaultAsync(w => w.ServiceMapId == map.Id && w.Name == target.Workload, ct);
            if (workload is null) return Failure.NotFound($"There is no workload {target.Workload} in service map {map.Name}.");
            var change = await WorkloadChanges.PrepareAsPipelineAsync(session, run.WorkspaceId, workload.Id,
                w => NewSpec(w.Current, target, artifact.Reference) is { } spec ? w.Update(spec, reason, by, now) : MissingContainer(w, target, map),
                images, clock, ct);
            if (change.Failure is { } refused) return Failure.Invalid($"{target.Workload} ({map.Name}): {Describe(refused)}");
            changes.Add((target, map, change.Value!));
        }
        return changes;
    }

    /// <summary>The spec with the run's image in the named containers (and the target's env values and replicas); null when a container is missing.</summary>
    public static WorkloadSpec? NewSpec(WorkloadSpec current, DeployTarget target, string image)
    {
        if (target.Containers.Any(name => current.Containers.All(c => c.Name != name))) return null;
        var containers = current.Containers.Select(c => target.Containers.Contains(c.Name) ? c with { Image = image, Env = WithEnv(c.Env, target.Env) } : c).ToList();
        return current with { Containers = containers, Replicas = target.Replicas ?? current.Replicas };
    }

    private static IReadOnlyList<EnvVar>? WithEnv(IReadOnlyList<EnvVar>? env, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null || values.Count == 0) return env;
        var merged = (env ?? []).Select(e => values.TryGetValue(e.Name, out var value) ? e with { Value = value } : e).ToList();
        merged.AddRange(values.Where(v => merged.All(e => e.Name != v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new EnvVar(v.Key, v.Value)));
        return merged;
    }

    private static DomainError MissingContainer(Workload workload, DeployTarget target, ServiceMapView map) =>
        DomainError.Invalid($"Workload {workload.Name} in service map {map.Name} has no container {target.Containers.First(n => workload.Current.Containers.All(c => c.Name != n))}.",
            "containers");

    /// <summary>The refusal with what each field broke (a policy's rules, the image gate's CVEs).</summary>
    public static string Describe(Failure failure) =>
        failure.FieldErrors is not { Count: > 0 } fields
            ? failure.Message
            : $"{failure.Message} {string.Join(" ", fields.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}")))}";
}
