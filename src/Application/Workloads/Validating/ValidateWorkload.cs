using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Workloads;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workloads.Validating;

/// <summary>
/// A dry run of a deploy (or, with <c>WorkloadId</c>, of an update): the same reading of the YAML, the same
/// Kubernetes rules and the same service map policy, answered with every problem by field, and nothing deployed.
/// Only those who may deploy to the service map may ask.
/// </summary>
public sealed record ValidateWorkload(Guid ServiceMapId, WorkloadSpec? Spec, string? Yaml, Guid? WorkloadId = null) : IRequest<WorkloadValidation>;

/// <summary>The spec as Cocktail read it: what a deploy of the same input would put in place.</summary>
public sealed record WorkloadValidation(bool Valid, WorkloadSpec Spec);

public sealed class ValidateWorkloadValidator : AbstractValidator<ValidateWorkload>
{
    public ValidateWorkloadValidator() => RuleFor(x => x.Yaml).MaximumLength(512 * 1024).WithMessage("The YAML has at most 512 KiB.");
}

public static class ValidateWorkloadHandler
{
    public static async Task<Result<WorkloadValidation>> Handle(ValidateWorkload query, Actor actor, IQuerySession session, IWorkloadYaml yaml,
        ImageScanning.Gating.ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, TenancyAccess.CanDeploy, ct);
        if (map.Failure is { } denied) return denied;
        var spec = WorkloadChecks.Resolve(query.Spec, query.Yaml, yaml);
        if (spec.Failure is { } unreadable) return unreadable;
        Domain.Workloads.WorkloadSpec? before = null;
        if (query.WorkloadId is { } workloadId)
        {
            var workload = await session.LoadAsync<WorkloadView>(workloadId, ct);
            if (workload is null || workload.ServiceMapId != query.ServiceMapId) return Failure.NotFound("No such workload in this service map.");
            if (spec.Value!.Name != workload.Name) return Failure.Invalid("A workload's name cannot change; deploy a new one.", "name");
            if (spec.Value.Kind != workload.Kind) return Failure.Invalid("A workload's kind cannot change; deploy a new one.", "kind");
            before = workload.Spec;
        }
        if (await WorkloadChecks.CheckAsync(session, map.Value!, spec.Value!, before, images, clock, ct) is { } refused) return refused;
        return new WorkloadValidation(true, spec.Value!);
    }
}
