using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;

namespace Cocktail.Domain.Tests.Policies;

public sealed class PolicyEvaluatorTests
{
    private static readonly SecurityContext Hardened = new(AllowPrivilegeEscalation: false, RunAsNonRoot: true, DropCapabilities: ["ALL"],
        SeccompProfile: "RuntimeDefault");

    private static WorkloadSpec Spec(string image = "registry.example.com/shop/web:1.0", Resources? resources = null, SecurityContext? sc = null,
        int replicas = 2, IReadOnlyList<Volume>? volumes = null, AutoscalerSpec? autoscaler = null) =>
        new("web", WorkloadKind.Deployment, [new ContainerSpec("web", image, Resources: resources, SecurityContext: sc)], Replicas: replicas,
            Volumes: volumes, Autoscaler: autoscaler);

    private static IReadOnlyList<(string Field, string Rule)> Violations(WorkloadSpec spec, SecurityPolicy policy) =>
        PolicyEvaluator.Evaluate(spec, policy).Select(v => (v.Field, v.Rule)).ToList();

    [Fact]
    public void no_policy_allows_anything() =>
        Assert.Empty(Violations(Spec("nginx", sc: new SecurityContext(Privileged: true), volumes: [new Volume("host", HostPath: "/etc")]), SecurityPolicy.None));

    [Theory]
    [InlineData("registry.example.com/shop/web:1.0", true)]
    [InlineData("REGISTRY.example.com/shop/web:1.0", true)]
    [InlineData("nginx:1.27", false)] // docker.io, as Kubernetes reads it
    [InlineData("ghcr.io/shop/web:1.0", false)]
    [InlineData("localhost:5000/web:1", false)]
    public void images_must_come_from_an_allowed_registry(string image, bool allowed)
    {
        var violations = Violations(Spec(image), new SecurityPolicy(AllowedRegistries: ["registry.example.com"]));
        Assert.Equal(allowed ? [] : [("containers[0].image", "allowedRegistries")], violations);
    }

    [Theory]
    [InlineData("registry.example.com/web:1.0", false)]
    [InlineData("registry.example.com/web", true)]
    [InlineData("registry.example.com/web:latest", true)]
    [InlineData("registry.example.com:5000/web", true)] // the port is not a tag
    [InlineData("registry.example.com/web@sha256:0123456789abcdef", false)]
    public void the_latest_tag_and_untagged_images_are_forbidden_when_asked(string image, bool violates) =>
        Assert.Equal(violates, Violations(Spec(image), new SecurityPolicy(ForbidLatestTag: true)).Any(v => v.Rule == "forbidLatestTag"));

    [Fact]
    public void limits_are_required_for_cpu_and_memory()
    {
        var policy = new SecurityPolicy(RequireLimits: true);
        Assert.Equal([("containers[0].resources.limits", "requireLimits")], Violations(Spec(resources: new Resources(Limits: new ResourceList(Cpu: "1"))), policy));
        Assert.Empty(Violations(Spec(resources: new Resources(Limits: new ResourceList("1", "1Gi"))), policy));
    }

    [Fact]
    public void privilege_escalation_must_be_switched_off_explicitly()
    {
        var policy = new SecurityPolicy(ForbidPrivilegeEscalation: true);
        Assert.Single(Violations(Spec(), policy)); // unset means allowed in Kubernetes
        Assert.Empty(Violations(Spec(sc: new SecurityContext(AllowPrivilegeEscalation: false)), policy));
        Assert.Single(Violations(Spec(sc: new SecurityContext(AllowPrivilegeEscalation: false, Privileged: true)), policy));
    }

    [Fact]
    public void host_paths_are_forbidden_by_volume()
    {
        var spec = Spec(volumes: [new Volume("cache", EmptyDir: true), new Volume("logs", HostPath: "/var/log")]);
        Assert.Equal([("volumes[1].hostPath", "forbidHostPath")], Violations(spec, new SecurityPolicy(ForbidHostPath: true)));
    }

    [Fact]
    public void max_replicas_applies_to_replicas_and_to_the_autoscalers_ceiling()
    {
        var policy = new SecurityPolicy(MaxReplicas: 3);
        Assert.Empty(Violations(Spec(replicas: 3), policy));
        Assert.Equal([("replicas", "maxReplicas")], Violations(Spec(replicas: 4), policy));
        Assert.Equal([("autoscaler.maxReplicas", "maxReplicas")], Violations(Spec(replicas: 2, autoscaler: new AutoscalerSpec(1, 10, 70)), policy));
    }

    [Fact]
    public void baseline_pod_security_refuses_privileged_host_namespaces_and_added_capabilities()
    {
        var spec = Spec(sc: new SecurityContext(Privileged: true, AddCapabilities: ["NET_ADMIN", "CHOWN"])) with { HostNetwork = true };
        var violations = Violations(spec, new SecurityPolicy(PodSecurity: PodSecurityLevel.Baseline));
        Assert.Equal(
            [("hostNetwork", "podSecurity"), ("containers[0].securityContext.privileged", "podSecurity"), ("containers[0].securityContext.capabilities.add", "podSecurity")],
            violations);
    }

    [Fact]
    public void restricted_pod_security_needs_a_hardened_container()
    {
        var policy = new SecurityPolicy(PodSecurity: PodSecurityLevel.Restricted);
        Assert.Equal(4, Violations(Spec(), policy).Count); // escalation, non-root, drop ALL, seccomp
        Assert.Empty(Violations(Spec(sc: Hardened), policy));
        Assert.Contains(("containers[0].securityContext.runAsUser", "podSecurity"), Violations(Spec(sc: Hardened with { RunAsUser = 0 }), policy));
    }

    [Fact]
    public void every_violation_is_listed_at_once_by_field()
    {
        var policy = new SecurityPolicy(PodSecurity: PodSecurityLevel.Baseline, AllowedRegistries: ["registry.example.com"], ForbidLatestTag: true,
            RequireLimits: true, ForbidPrivilegeEscalation: true, ForbidHostPath: true, MaxReplicas: 2);
        var spec = Spec("nginx", replicas: 5, volumes: [new Volume("host", HostPath: "/")]);

        Assert.Equal(
            ["allowedRegistries", "forbidHostPath", "forbidLatestTag", "forbidPrivilegeEscalation", "maxReplicas", "podSecurity", "requireLimits"],
            Violations(spec, policy).Select(v => v.Rule).Distinct().Order());
    }

    [Fact]
    public void the_effective_policy_takes_the_stricter_of_workspace_and_service_map_for_each_rule()
    {
        var workspace = new SecurityPolicy(PodSecurity: PodSecurityLevel.Baseline, AllowedRegistries: ["a.example.com", "b.example.com"], MaxReplicas: 10,
            RequireLimits: true);
        var serviceMap = new SecurityPolicy(AllowedRegistries: ["b.example.com"], MaxReplicas: 4, ForbidLatestTag: true, RequireLimits: true);

        var effective = SecurityPolicy.Effective(workspace, serviceMap, PodSecurityLevel.Privileged);

        Assert.Equal(PodSecurityLevel.Baseline, effective.PodSecurity);
        Assert.Equal(["b.example.com"], effective.Registries);
        Assert.Equal(4, effective.MaxReplicas);
        Assert.True(effective.ForbidLatestTag && effective.RequireLimits);
        Assert.Equal(PodSecurityLevel.Restricted, SecurityPolicy.Effective(workspace, serviceMap, PodSecurityLevel.Restricted).PodSecurity);
        // A workload fine for the workspace can still break the service map's tighter rules.
        var spec = Spec("a.example.com/web:1", resources: new Resources(Limits: new ResourceList("1", "1Gi")), replicas: 5);
        Assert.Empty(Violations(spec, workspace));
        Assert.Equal(["allowedRegistries", "maxReplicas"], Violations(spec, effective).Select(v => v.Rule).Order());
    }

    [Fact]
    public void a_service_map_policy_may_only_tighten_its_workspaces()
    {
        var workspace = new SecurityPolicy(PodSecurity: PodSecurityLevel.Baseline, AllowedRegistries: ["a.example.com"], ForbidLatestTag: true, MaxReplicas: 5);

        Assert.Empty(SecurityPolicy.Loosening(workspace, workspace with { PodSecurity = PodSecurityLevel.Restricted, MaxReplicas = 3 }));
        var loosening = SecurityPolicy.Loosening(workspace, new SecurityPolicy(PodSecurity: PodSecurityLevel.Privileged,
            AllowedRegistries: ["a.example.com", "evil.example.com"], MaxReplicas: 50));
        Assert.Equal(["allowedRegistries", "forbidLatestTag", "maxReplicas", "podSecurity"], loosening.Select(l => l.Field).Order());
    }

    [Fact]
    public void the_image_gate_joins_the_security_policy_tighten_only_below_the_workspace()
    {
        var workspace = new SecurityPolicy(Images: new ImageScanPolicy(BlockCritical: true, MaxScanAgeDays: 7));
        var tighter = new SecurityPolicy(Images: new ImageScanPolicy(BlockCritical: true, MaxHigh: 0, MaxScanAgeDays: 3));

        Assert.Empty(SecurityPolicy.Loosening(workspace, tighter));
        Assert.Equal(new ImageScanPolicy(BlockCritical: true, MaxHigh: 0, MaxScanAgeDays: 3),
            SecurityPolicy.Effective(workspace, tighter, PodSecurityLevel.Privileged).Images);
        Assert.Equal(["images.blockCritical", "images.maxScanAgeDays"], SecurityPolicy.Loosening(workspace, SecurityPolicy.None).Select(l => l.Field).Order());
        // A policy stored before the gate existed has no image rules, and setting "no image rules" on it records nothing.
        Assert.True(SecurityPolicy.None.SameAs(new SecurityPolicy(Images: ImageScanPolicy.None)));
        Assert.False(SecurityPolicy.Effective(SecurityPolicy.None, SecurityPolicy.None, PodSecurityLevel.Baseline).ImageRules.Gates);
        Assert.True(SecurityPolicy.Effective(workspace, SecurityPolicy.None, PodSecurityLevel.Baseline).ImageRules.Gates);
    }

    [Fact]
    public void a_policy_change_records_before_and_after_and_nothing_when_equal()
    {
        var stream = new PolicyStream(PolicyStream.StreamIdFor(Guid.NewGuid()), Guid.NewGuid(), PolicyScope.Workspace, SecurityPolicy.None);
        var after = new SecurityPolicy(AllowedRegistries: ["b.example.com", "a.example.com"]);
        var changed = Assert.IsType<SecurityPolicyChanged>(stream.Change(after, new(Guid.NewGuid(), "admin"), DateTimeOffset.UnixEpoch).Single());
        Assert.Equal(SecurityPolicy.None, changed.Before);
        Assert.True(changed.After.SameAs(after));

        var next = stream.Apply(changed);
        Assert.Empty(next.Change(new SecurityPolicy(AllowedRegistries: ["a.example.com", "b.example.com"]), new(Guid.NewGuid(), "admin"), DateTimeOffset.UnixEpoch).Events);
    }

    [Fact]
    public void Given_registries_written_in_any_case_order_or_twice_When_the_policy_is_set_Then_they_are_recorded_lower_case_once_each_in_order()
    {
        var stream = PolicyStream.Empty(Guid.NewGuid(), PolicyScope.ServiceMap);

        var changed = Assert.IsType<SecurityPolicyChanged>(stream.Change(
            new SecurityPolicy(AllowedRegistries: ["Registry.Example.com", "docker.io", "registry.example.com"], ForbidLatestTag: true),
            new(Guid.NewGuid(), "admin"), DateTimeOffset.UnixEpoch).Single());

        Assert.Equal(["docker.io", "registry.example.com"], changed.After.Registries);
        Assert.True(changed.After.ForbidLatestTag);
        Assert.Equal(PolicyScope.ServiceMap, changed.Scope);
    }

    [Fact]
    public void Given_a_policy_When_it_is_set_again_written_differently_Then_nothing_is_recorded()
    {
        var stream = PolicyStream.Empty(Guid.NewGuid(), PolicyScope.Workspace);
        var set = stream.Apply((SecurityPolicyChanged)stream.Change(new SecurityPolicy(AllowedRegistries: ["ghcr.io"]), new(Guid.NewGuid(), "admin"),
            DateTimeOffset.UnixEpoch).Single());

        Assert.Empty(set.Change(new SecurityPolicy(AllowedRegistries: ["GHCR.io", "ghcr.io"]), new(Guid.NewGuid(), "admin"), DateTimeOffset.UnixEpoch).Events);
    }
}
