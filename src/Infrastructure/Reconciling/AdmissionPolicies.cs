using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using k8s.Models;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>
/// A service map's security policy as ValidatingAdmissionPolicies (CEL), bound to its namespace, so that what
/// Cocktail refuses is refused on the cluster too, whoever applies it (kubectl with an access grant included).
/// Two policies: rules on pod specs (pods and every workload template), and the replica ceiling (incl. /scale and
/// autoscalers, whose maximum is what they may scale to). A registry host is compared in lower case, as DNS names are.
/// </summary>
internal static class AdmissionPolicies
{
    private const string PodSpec =
        "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)";
    private const string Containers =
        "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])";
    private const string Registry =
        "(c.image.contains('/') && (c.image.split('/')[0].contains('.') || c.image.split('/')[0].contains(':') || c.image.split('/')[0] == 'localhost') ? c.image.split('/')[0].lowerAscii() : 'docker.io')";

    public sealed record Policy(V1ValidatingAdmissionPolicy Definition, V1ValidatingAdmissionPolicyBinding Binding);

    public static string WorkloadsName(ServiceMapManifest m) => $"cocktail-{m.Namespace}-workloads";
    public static string ReplicasName(ServiceMapManifest m) => $"cocktail-{m.Namespace}-replicas";

    /// <summary>Every policy Cocktail may have made for a namespace (cluster-scoped: they do not go with it).</summary>
    public static IReadOnlyList<string> AllNames(string ns) => [$"cocktail-{ns}-workloads", $"cocktail-{ns}-replicas"];

    /// <summary>The policies the manifest's rules need (none for a policy without rules).</summary>
    public static IReadOnlyList<Policy> For(ServiceMapManifest m)
    {
        var policies = new List<Policy>();
        var rules = PodRules(m.Policy, m.DefaultLimits).ToList();
        if (rules.Count > 0)
            policies.Add(Make(m, WorkloadsName(m),
                [Rule("", "pods"), Rule("apps", "deployments", "statefulsets", "daemonsets", "replicasets"), Rule("batch", "jobs", "cronjobs")],
                [new V1Variable { Name = "podSpec", Expression = PodSpec }, new V1Variable { Name = "containers", Expression = Containers }],
                rules));
        if (m.Policy.MaxReplicas is { } max)
            policies.Add(Make(m, ReplicasName(m),
                [Rule("apps", "deployments", "statefulsets", "deployments/scale", "statefulsets/scale"), Rule("autoscaling", "horizontalpodautoscalers")],
                [],
                [Forbid($"object.kind == 'HorizontalPodAutoscaler' ? object.spec.maxReplicas <= {max} : (!has(object.spec.replicas) || object.spec.replicas <= {max})", $"at most {max} replicas are allowed in this service map (Cocktail security policy)")]));
        return policies;
    }

    public static IReadOnlyList<string> AllNames(ServiceMapManifest m) => AllNames(m.Namespace);

    private static IEnumerable<V1Validation> PodRules(SecurityPolicy p, DefaultLimits? defaults)
    {
        if (p.Registries.Count > 0)
            yield return Forbid(
                $"variables.containers.all(c, {Registry} in [{string.Join(", ", p.Registries.Select(r => $"'{r}'"))}])",
                $"images must come from: {string.Join(", ", p.Registries)} (Cocktail security policy)");
        if (p.ForbidLatestTag)
            yield return Forbid(
                "variables.containers.all(c, c.image.contains('@') || (c.image.split('/')[size(c.image.split('/')) - 1].contains(':') && !c.image.endsWith(':latest')))",
                "images must be pinned to a version or digest, not latest or untagged (Cocktail security policy)");
        // A resource with a default limit in the namespace's LimitRange needs no limit of its own: LimitRanger (a mutating
        // plugin, which runs before validating admission) gives it to every pod's containers, those of templates included.
        var needed = new[] { ("cpu", defaults?.Cpu), ("memory", defaults?.Memory) }.Where(r => r.Item2 is null).Select(r => r.Item1).ToList();
        if (p.RequireLimits && needed.Count > 0)
            yield return Forbid(
                $"variables.containers.all(c, has(c.resources) && has(c.resources.limits){string.Concat(needed.Select(r => $" && '{r}' in c.resources.limits"))})",
                needed.Count == 2
                    ? "every container needs cpu and memory limits (Cocktail security policy)"
                    : $"every container needs a {needed[0]} limit; the namespace's default gives the other (Cocktail security policy)");
        if (p.ForbidPrivilegeEscalation)
            yield return Forbid(
                "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false && !(has(c.securityContext.privileged) && c.securityContext.privileged))",
                "every container must set allowPrivilegeEscalation: false (Cocktail security policy)");
        if (p.ForbidHostPath)
            yield return Forbid(
                "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))",
                "hostPath volumes are not allowed (Cocktail security policy)");
    }

    /// <summary>Refused as forbidden by policy (403), not as malformed (the default, 422): the object is valid Kubernetes.</summary>
    private static V1Validation Forbid(string expression, string message) => new() { Expression = expression, Message = message, Reason = "Forbidden" };

    private static V1NamedRuleWithOperations Rule(string group, params string[] resources) => new()
    {
        ApiGroups = [group], ApiVersions = ["*"], Resources = resources, Operations = ["CREATE", "UPDATE"],
    };

    private static Policy Make(ServiceMapManifest m, string name, IList<V1NamedRuleWithOperations> rules, IList<V1Variable> variables,
        IList<V1Validation> validations)
    {
        var labels = new Dictionary<string, string>
        {
            [ServiceMapManifest.ManagedByLabel] = "cocktail",
            [ServiceMapManifest.ServiceMapLabel] = m.ServiceMapId.ToString(),
        };
        var definition = new V1ValidatingAdmissionPolicy
        {
            ApiVersion = "admissionregistration.k8s.io/v1", Kind = "ValidatingAdmissionPolicy",
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1ValidatingAdmissionPolicySpec
            {
                FailurePolicy = "Fail",
                MatchConstraints = new V1MatchResources { ResourceRules = rules },
                Variables = variables.Count > 0 ? variables : null,
                Validations = validations,
            },
        };
        var binding = new V1ValidatingAdmissionPolicyBinding
        {
            ApiVersion = "admissionregistration.k8s.io/v1", Kind = "ValidatingAdmissionPolicyBinding",
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1ValidatingAdmissionPolicyBindingSpec
            {
                PolicyName = name,
                ValidationActions = ["Deny"],
                MatchResources = new V1MatchResources
                {
                    NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [ServiceMapManifest.ServiceMapLabel] = m.ServiceMapId.ToString() } },
                },
            },
        };
        return new Policy(definition, binding);
    }
}
