using Cocktail.Application.Common;
using Cocktail.Application.Policies;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Workloads;
using Marten;

namespace Cocktail.Application.Workloads;

/// <summary>
/// Every spec Cocktail would send to a cluster passes here first: the Kubernetes rules, then the service map's
/// security policy. All problems come back at once, keyed by the field (`containers[0].image`).
/// </summary>
public static class WorkloadChecks
{
    private static readonly WorkloadSpecValidator Validator = new();

    public static async Task<Failure?> CheckAsync(IQuerySession session, ServiceMapView map, WorkloadSpec spec, CancellationToken ct)
    {
        var validation = await Validator.ValidateAsync(spec, ct);
        if (!validation.IsValid)
            return new Failure(FailureKind.Invalid, "The workload has invalid fields.", validation.Errors
                .GroupBy(e => FieldNames.ToJson(e.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

        var policy = await EffectivePolicies.ForAsync(session, map, ct);
        var violations = PolicyEvaluator.Evaluate(spec, policy.Effective, map.DefaultLimits);
        return violations.Count == 0 ? null : PolicyFailure(violations);
    }

    public static Failure PolicyFailure(IReadOnlyList<Violation> violations) =>
        new(FailureKind.Invalid, $"The workload breaks the security policy ({violations.Count} violation(s)).",
            violations.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => $"{v.Message} [{v.Rule}]").ToArray()));

    /// <summary>Reads the spec from the form or from YAML; YAML problems come back by field too.</summary>
    public static Result<WorkloadSpec> Resolve(WorkloadSpec? spec, string? yaml, IWorkloadYaml reader)
    {
        if (!string.IsNullOrWhiteSpace(yaml))
        {
            var (parsed, errors) = reader.Read(yaml);
            return parsed ?? (Result<WorkloadSpec>)new Failure(FailureKind.Invalid, "The YAML is not a workload Cocktail can deploy.", errors);
        }
        return spec ?? (Result<WorkloadSpec>)Failure.Invalid("Give the workload: its fields, or its YAML.", "yaml");
    }
}
