using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;
using Cocktail.Infrastructure.Reconciling;
using Cocktail.Infrastructure.Workloads;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Workloads;

/// <summary>
/// The policy rules are written twice: in C# (<see cref="PolicyEvaluator"/>, which answers before anything is
/// submitted) and as the CEL of the ValidatingAdmissionPolicies Cocktail puts on the cluster (<see cref="AdmissionPolicies"/>).
/// Each row is a workload that meets or breaks one rule; both sides judge the objects Cocktail would apply for it,
/// and must agree. The CEL runs on the Cel package alone. Its default environment does not know Kubernetes' CEL
/// strings library, of which the generated expressions use <c>split</c>; the package carries those functions but
/// registers them only on request (<c>CelStringHandlingFunctions.RegisterStringExtensionFunctions</c>, in its
/// Cel.Internal namespace), which is done here. No database, no cluster.
/// </summary>
public sealed class PolicyParityTests
{
    private static readonly SecurityContext Hardened = new(AllowPrivilegeEscalation: false, RunAsNonRoot: true, DropCapabilities: ["ALL"],
        SeccompProfile: "RuntimeDefault");

    /// <summary>
    /// One workload judged under one rule. <paramref name="Breaks"/> is what the C# evaluator says (checked too, so a
    /// row cannot silently test nothing); <paramref name="Divergence"/>, when set, says why the cluster judges the
    /// row differently today: the test then asserts that difference, so that closing it also updates this table.
    /// </summary>
    public sealed record Row(string Rule, string Case, SecurityPolicy Policy, WorkloadSpec Spec, bool Breaks, string? Divergence = null,
        DefaultLimits? Defaults = null)
    {
        public override string ToString() => $"{Rule}: {Case}";
    }

    private static WorkloadSpec Spec(string image = "registry.example.com/shop/web:1.0", Resources? resources = null, SecurityContext? sc = null,
        int replicas = 2, IReadOnlyList<Volume>? volumes = null, AutoscalerSpec? autoscaler = null, WorkloadKind kind = WorkloadKind.Deployment,
        string? schedule = null) =>
        new("web", kind, [new ContainerSpec("web", image, Resources: resources, SecurityContext: sc)],
            Replicas: kind is WorkloadKind.Deployment or WorkloadKind.StatefulSet ? replicas : null, Schedule: schedule, Volumes: volumes,
            Autoscaler: autoscaler);

    private static readonly Resources Limited = new(Limits: new ResourceList("500m", "256Mi"));

    public static readonly Row[] Rows =
    [
        new("allowedRegistries", "an image from the allowed registry", new(AllowedRegistries: ["registry.example.com"]), Spec(), false),
        new("allowedRegistries", "an image from another registry", new(AllowedRegistries: ["registry.example.com"]), Spec("ghcr.io/shop/web:1.0"), true),
        new("allowedRegistries", "a short name is docker.io's", new(AllowedRegistries: ["docker.io"]), Spec("nginx:1.27"), false),
        new("allowedRegistries", "a short name when docker.io is not allowed", new(AllowedRegistries: ["registry.example.com"]), Spec("nginx:1.27"), true),
        new("allowedRegistries", "a registry with a port", new(AllowedRegistries: ["localhost:5000"]), Spec("localhost:5000/web:1"), false),
        new("allowedRegistries", "a registry written in upper case", new(AllowedRegistries: ["registry.example.com"]),
            Spec("REGISTRY.example.com/shop/web:1.0"), false),
        new("allowedRegistries", "a CronJob's image from another registry", new(AllowedRegistries: ["registry.example.com"]),
            Spec("ghcr.io/shop/web:1.0", kind: WorkloadKind.CronJob, schedule: "*/5 * * * *"), true),

        new("forbidLatestTag", "a pinned version", new(ForbidLatestTag: true), Spec("registry.example.com/web:1.0"), false),
        new("forbidLatestTag", "a digest", new(ForbidLatestTag: true), Spec("registry.example.com/web@sha256:" + new string('a', 64)), false),
        new("forbidLatestTag", "the latest tag", new(ForbidLatestTag: true), Spec("registry.example.com/web:latest"), true),
        new("forbidLatestTag", "no tag", new(ForbidLatestTag: true), Spec("registry.example.com/web"), true),
        new("forbidLatestTag", "a port is not a tag", new(ForbidLatestTag: true), Spec("registry.example.com:5000/web"), true),

        new("requireLimits", "cpu and memory limits", new(RequireLimits: true), Spec(resources: Limited), false),
        new("requireLimits", "no limits", new(RequireLimits: true), Spec(), true),
        new("requireLimits", "a memory limit only", new(RequireLimits: true), Spec(resources: new(Limits: new ResourceList(Memory: "256Mi"))), true),
        new("requireLimits", "requests are not limits", new(RequireLimits: true), Spec(resources: new(Requests: new ResourceList("500m", "256Mi"))), true),
        // The namespace's LimitRange gives its default limits to every container before validating admission runs.
        new("requireLimits", "the service map's default limits", new(RequireLimits: true), Spec(), false, Defaults: new DefaultLimits("500m", "256Mi")),
        new("requireLimits", "a default cpu limit and the container's memory limit", new(RequireLimits: true),
            Spec(resources: new(Limits: new ResourceList(Memory: "256Mi"))), false, Defaults: new DefaultLimits("500m", null)),
        new("requireLimits", "a default cpu limit and no memory limit", new(RequireLimits: true), Spec(), true, Defaults: new DefaultLimits("500m", null)),

        new("forbidPrivilegeEscalation", "escalation switched off", new(ForbidPrivilegeEscalation: true), Spec(sc: Hardened), false),
        new("forbidPrivilegeEscalation", "escalation not mentioned", new(ForbidPrivilegeEscalation: true), Spec(), true),
        new("forbidPrivilegeEscalation", "escalation switched on", new(ForbidPrivilegeEscalation: true),
            Spec(sc: new SecurityContext(AllowPrivilegeEscalation: true)), true),
        new("forbidPrivilegeEscalation", "privileged although escalation is off", new(ForbidPrivilegeEscalation: true),
            Spec(sc: new SecurityContext(Privileged: true, AllowPrivilegeEscalation: false)), true),

        new("forbidHostPath", "an emptyDir", new(ForbidHostPath: true), Spec(volumes: [new Volume("scratch", EmptyDir: true)]), false),
        new("forbidHostPath", "no volumes", new(ForbidHostPath: true), Spec(), false),
        new("forbidHostPath", "a host path", new(ForbidHostPath: true), Spec(volumes: [new Volume("host", HostPath: "/etc")]), true),

        new("maxReplicas", "as many replicas as allowed", new(MaxReplicas: 3), Spec(replicas: 3), false),
        new("maxReplicas", "more replicas than allowed", new(MaxReplicas: 3), Spec(replicas: 4), true),
        new("maxReplicas", "a StatefulSet over the ceiling", new(MaxReplicas: 3), Spec(replicas: 5, kind: WorkloadKind.StatefulSet), true),
        new("maxReplicas", "an autoscaler within the ceiling", new(MaxReplicas: 3), Spec(replicas: 2, autoscaler: new AutoscalerSpec(1, 3, 80)), false),
        new("maxReplicas", "an autoscaler that may go over the ceiling", new(MaxReplicas: 3), Spec(replicas: 2, autoscaler: new AutoscalerSpec(1, 10, 80)), true),
    ];

    /// <summary>Rules that are not CEL: the cluster enforces them by other means, which other tests cover.</summary>
    private static readonly Dictionary<string, string> NotCel = new()
    {
        ["podSecurity"] = "Pod Security Admission, through the namespace's pod-security.kubernetes.io labels",
        ["images"] = "Cocktail's validating admission webhook (the image gate), asked for namespaces labelled cocktail.io/image-gate=enforced",
    };

    public static TheoryData<Row> Table() => [.. Rows];

    [Theory]
    [MemberData(nameof(Table))]
    public void the_clusters_admission_policy_and_the_evaluator_judge_a_workload_alike(Row row)
    {
        var evaluator = PolicyEvaluator.Evaluate(row.Spec, row.Policy, row.Defaults).Where(v => v.Rule == row.Rule).ToList();
        Assert.True(row.Breaks == evaluator.Count > 0, $"The evaluator {(evaluator.Count > 0 ? "refuses" : "allows")} '{row.Case}'; the row says otherwise.");

        var denials = CelDenials(row.Policy, row.Spec, row.Defaults);
        var clusterRefuses = denials.Count > 0;
        if (row.Divergence is null)
            Assert.True(row.Breaks == clusterRefuses,
                $"'{row.Case}': the evaluator {(row.Breaks ? "refuses" : "allows")}, the cluster's CEL {(clusterRefuses ? "refuses (" + string.Join("; ", denials) + ")" : "allows")}.");
        else
            Assert.True(row.Breaks != clusterRefuses, $"'{row.Case}' was a known difference ({row.Divergence}) and both sides now agree: drop the divergence from the row.");
    }

    [Fact]
    public void every_rule_of_a_policy_has_rows_that_meet_and_break_it()
    {
        // A rule is a property of SecurityPolicy; a new one without rows (or a reason it is not CEL) fails here.
        var rules = typeof(SecurityPolicy).GetConstructors().Single().GetParameters().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!)).ToList();
        foreach (var rule in rules.Where(r => !NotCel.ContainsKey(r)))
        {
            Assert.True(Rows.Any(r => r.Rule == rule && !r.Breaks && r.Divergence is null), $"No row meets '{rule}'.");
            Assert.True(Rows.Any(r => r.Rule == rule && r.Breaks && r.Divergence is null), $"No row breaks '{rule}'.");
        }
        Assert.Empty(Rows.Select(r => r.Rule).Concat(NotCel.Keys).Except(rules));
    }

    [Fact]
    public void every_validation_the_admission_policies_carry_is_one_the_table_covers()
    {
        // All CEL rules at once: one validation per rule of the table. A new validation (a rule split in two, or a
        // new check) changes the count and needs rows.
        var all = new SecurityPolicy(AllowedRegistries: ["registry.example.com"], ForbidLatestTag: true, RequireLimits: true,
            ForbidPrivilegeEscalation: true, ForbidHostPath: true, MaxReplicas: 3);
        var validations = AdmissionPolicies.For(Manifest(all)).SelectMany(p => p.Definition.Spec.Validations).ToList();

        Assert.Equal(Rows.Select(r => r.Rule).Distinct().Count(), validations.Count);
        var compliant = Spec(resources: Limited, sc: Hardened);
        Assert.Empty(PolicyEvaluator.Evaluate(compliant, all));
        Assert.Empty(CelDenials(all, compliant));
    }

    private static ServiceMapManifest Manifest(SecurityPolicy policy, DefaultLimits? defaults = null) =>
        new("shop", new Dictionary<string, string>(), new Dictionary<string, string>(), defaults, [], "team", Guid.CreateVersion7(), policy);

    /// <summary>The messages of the validations that refuse the workload's objects (empty when admitted), as the cluster evaluates them.</summary>
    private static IReadOnlyList<string> CelDenials(SecurityPolicy policy, WorkloadSpec spec, DefaultLimits? defaults = null)
    {
        var objects = WorkloadObjects.For(new WorkloadManifest(Guid.CreateVersion7(), "shop", 1, spec));
        var denials = new List<string>();
        foreach (var admission in AdmissionPolicies.For(Manifest(policy, defaults)))
            foreach (var candidate in new object?[] { objects.Workload, objects.Autoscaler }.OfType<IKubernetesObject<V1ObjectMeta>>())
            {
                if (!Matches(admission.Definition, candidate)) continue;
                var variables = new Dictionary<string, object?> { ["object"] = FromJson(JsonNode.Parse(KubernetesJson.Serialize(candidate))) };
                var values = new Dictionary<string, object?>();
                foreach (var variable in admission.Definition.Spec.Variables ?? [])
                {
                    variables["variables"] = values;
                    values[variable.Name] = Evaluate(variable.Expression, variables);
                }
                variables["variables"] = values;
                denials.AddRange(admission.Definition.Spec.Validations.Where(v => Evaluate(v.Expression, variables) is not true).Select(v => v.Message));
            }
        return denials;
    }

    /// <summary>Whether the policy's resource rules match the object (by its resource name, for CREATE).</summary>
    private static bool Matches(V1ValidatingAdmissionPolicy policy, IKubernetesObject<V1ObjectMeta> o)
    {
        var group = o.ApiVersion.Contains('/') ? o.ApiVersion[..o.ApiVersion.IndexOf('/')] : "";
        var resource = o.Kind.ToLowerInvariant() + "s";
        return policy.Spec.MatchConstraints.ResourceRules.Any(r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Operations.Contains("CREATE"));
    }

    private static readonly CelEnvironment Environment = CreateEnvironment();

    private static CelEnvironment CreateEnvironment()
    {
        var env = new CelEnvironment(null, "");
        // split, join, trim, indexOf...: the strings extension Kubernetes' CEL has, which the package leaves out by default.
        Cel.Internal.CelStringHandlingFunctions.RegisterStringExtensionFunctions(env);
        // lowerAscii is in Kubernetes' strings library but not in the package's (KubeSim registers it the same way).
        env.RegisterFunction("lowerAscii", [typeof(string)], args => ((args[0] as string) ?? "").ToLowerInvariant());
        return env;
    }

    private static object? Evaluate(string expression, IDictionary<string, object?> variables) => Environment.Compile(expression)(variables!);

    /// <summary>JSON as the Cel package takes it: dictionaries, object[] lists, long/double, string, bool, null.</summary>
    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value)),
        JsonArray a => a.Select(FromJson).ToArray(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString() is var s && long.TryParse(s, out var l)
            ? l : double.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
