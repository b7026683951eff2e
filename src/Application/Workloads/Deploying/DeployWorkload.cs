using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Workloads;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workloads.Deploying;

/// <summary>Deploys a workload into a service map, from the form's fields or from YAML (which yield the same spec).</summary>
public sealed record DeployWorkload(Guid ServiceMapId, WorkloadSpec? Spec, string? Yaml, string? Reason = null) : IRequest<Accepted>;

public sealed class DeployWorkloadValidator : AbstractValidator<DeployWorkload>
{
    public DeployWorkloadValidator()
    {
        RuleFor(x => x.Yaml).MaximumLength(512 * 1024).WithMessage("The YAML has at most 512 KiB.");
        RuleFor(x => x.Reason).MaximumLength(1000);
    }
}

public static class DeployWorkloadHandler
{
    public static async Task<Result<Accepted>> Handle(DeployWorkload command, Actor actor, IDocumentSession session, IWorkloadYaml yaml,
        IMessageContext messages, TimeProvider clock, ImageScanning.Gating.ImageVerdicts images, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, command.ServiceMapId, TenancyAccess.CanDeploy, ct);
        if (map.Failure is { } denied) return denied;
        if (map.Value!.Status == Domain.Tenancy.ServiceMapStatus.Deleting) return Failure.Conflict("The service map is being deleted.");
        var spec = WorkloadChecks.Resolve(command.Spec, command.Yaml, yaml);
        if (spec.Failure is { } unreadable) return unreadable;
        if (await WorkloadChecks.CheckAsync(session, map.Value, spec.Value!, null, images, clock, ct) is { } refused) return refused;
        if (await session.Query<WorkloadView>().AnyAsync(w => w.ServiceMapId == map.Value.Id && w.Kind == spec.Value!.Kind && w.Name == spec.Value.Name, ct))
            return new Failure(FailureKind.Conflict, $"A {spec.Value!.Kind} named '{spec.Value.Name}' exists in this service map.",
                new Dictionary<string, string[]> { ["name"] = [$"A {spec.Value.Kind} named '{spec.Value.Name}' exists in this service map."] });

        var id = Guid.CreateVersion7();
        var decision = Workload.Deploy(id, map.Value.Id, map.Value.WorkspaceId, map.Value.ClusterId, map.Value.Namespace, spec.Value!,
            command.Reason, actor.Ref, clock.GetUtcNow());
        session.Events.StartStream<Workload>(id, decision.Events.ToArray());
        await messages.PublishAsync(new Reconciling.ReconcileWorkload(id));
        return new Accepted(id, 1);
    }
}
