using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.Policies;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Workloads;
using Marten;

namespace Cocktail.Application.Workloads;

/// <summary>
/// Every spec Cocktail would send to a cluster passes here first: the Kubernetes rules, then the service map's
/// security policy, then its image gate (the images' latest scans). All problems come back at once, keyed by the
/// field (`containers[0].image`).
/// </summary>
public static class WorkloadChecks
{
    private static readonly WorkloadSpecValidator Validator = new();

    /// <summary>
    /// <paramref name="before"/> is the spec in place (null for a new workload): the image gate judges only images it
    /// did not run yet, as the cluster's webhook does on an update, so scaling or editing a workload whose running
    /// image has since been found vulnerable is not refused.
    /// </summary>
    public static async Task<Failure?> CheckAsync(IQuerySession session, ServiceMapView map, WorkloadSpec spec, WorkloadSpec? before,
        ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        var validation = await Validator.ValidateAsync(spec, ct);
        if (!validation.IsValid)
            return new Failure(FailureKind.Invalid, "The workload has invalid fields.", validation.Errors
                .GroupBy(e => FieldNames.ToJson(e.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

        var policy = await EffectivePolicies.ForAsync(session, map, ct);
        var violations = PolicyEvaluator.Evaluate(spec, policy.Effective, map.DefaultLimits).ToList();
        violations.AddRange(await ImageViolationsAsync(session, map, policy.Effective, spec, before, images, clock, ct));
        return violations.Count == 0 ? null : PolicyFailure(violations);
    }

    public const string ImageRule = "images";

    private static async Task<IReadOnlyList<Violation>> ImageViolationsAsync(IQuerySession session, ServiceMapView map, SecurityPolicy effective,
        WorkloadSpec spec, WorkloadSpec? before, ImageVerdicts images, TimeProvider clock, CancellationToken ct)
    {
        if (!effective.ImageRules.Gates) return [];
        var running = before?.Containers.Select(c => c.Image).ToHashSet(StringComparer.Ordinal) ?? [];
        var judged = spec.Containers.Select((c, i) => (c.Image, Field: $"containers[{i}].image")).Where(c => !running.Contains(c.Image)).ToList();
        if (judged.Count == 0) return [];
        var inputs = await ImageGateInputs.ForAsync(session, map, effective, clock.GetUtcNow(), ct);
        var verdicts = (await images.JudgeAsync(session, inputs, judged.Select(c => c.Image).ToList(), ct)).ToDictionary(j => j.Image);
        return judged.Where(c => !verdicts[c.Image].Verdict.Allowed)
            .Select(c => new Violation(c.Field, ImageRule, verdicts[c.Image].Verdict.Message)).ToList();
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
