using System.Reflection;
using System.Text.RegularExpressions;
using Cocktail.Application.Audit.Describing;
using Cocktail.Domain.Access;
using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;

namespace Cocktail.Integration.Tests.Audit;

/// <summary>The summaries themselves, without a host: every event type reads as a sentence with names, never ids.</summary>
public sealed partial class AuditSummaryTests
{
    private static readonly Guid Known = Guid.Parse("0197a1b2-0000-7000-8000-00000000a11c");
    private static readonly AuditNames Names = new(
        users: new Dictionary<Guid, string> { [Known] = "dana" }, clusters: new Dictionary<Guid, string> { [Known] = "ux-sim-1" },
        workspaces: new Dictionary<Guid, string> { [Known] = "shop" }, serviceMaps: new Dictionary<Guid, string> { [Known] = "checkout (ux-sim-1)" },
        workloads: new Dictionary<Guid, string> { [Known] = "web" },
        grants: new Dictionary<Guid, GrantName> { [Known] = new("dana", "edit", "checkout (ux-sim-1)") });

    [Fact]
    public void a_revoked_grant_names_who_revoked_whose_role_on_which_service_map_and_why()
    {
        var revoked = new AccessGrantRevoked(Known, Known, Known, "dana", "left the team", new ActorRef(Guid.NewGuid(), "admin"), DateTimeOffset.UtcNow);

        var description = AuditDescriptions.Describe(revoked, Names)!;

        Assert.Equal("admin revoked dana's edit on checkout (ux-sim-1): left the team", description.Summary);
        Assert.Equal(("access grant", "dana's edit on checkout (ux-sim-1)"), (description.ObjectKind, description.ObjectName));
    }

    [Fact]
    public void an_id_no_read_model_knows_is_shown_short()
    {
        var unknown = Guid.Parse("01234567-89ab-7def-8000-000000000001");
        var activated = new AccessGrantActivated(unknown, unknown, unknown, "cocktail-grant-x", DateTimeOffset.UtcNow);

        var summary = AuditDescriptions.Describe(activated, AuditNames.None)!.Summary;

        Assert.Equal("01234567's grant 01234567 is set up on 01234567 (service account cocktail-grant-x)", summary);
    }

    [Fact]
    public void every_event_type_reads_as_a_sentence_with_names_and_no_ids()
    {
        Assert.NotEmpty(AuditDescriptions.KnownTypes);
        var failures = new List<string>();
        foreach (var type in AuditDescriptions.KnownTypes)
        {
            var description = AuditDescriptions.Describe(Sample(type), Names);
            if (description is null) { failures.Add($"{type.Name}: no summary"); continue; }
            if (description.Summary.Length < 10 || description.ObjectKind.Length == 0 || description.ObjectName.Length == 0)
                failures.Add($"{type.Name}: '{description.Summary}' / '{description.ObjectKind}' / '{description.ObjectName}'");
            if (FullGuid().IsMatch(description.Summary) || description.Summary.Contains(Known.ToString()[..8], StringComparison.Ordinal))
                failures.Add($"{type.Name}: shows an id where a name is known: '{description.Summary}'");
            if (description.Summary.Contains("Cocktail.", StringComparison.Ordinal) || description.Summary.Contains(" { ", StringComparison.Ordinal))
                failures.Add($"{type.Name}: shows a record instead of words: '{description.Summary}'");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void the_known_event_type_names_are_sorted_and_found_by_name()
    {
        Assert.Equal(AuditDescriptions.KnownNames.Order(StringComparer.Ordinal), AuditDescriptions.KnownNames);
        Assert.Equal(typeof(AccessGrantRevoked), AuditDescriptions.Find("AccessGrantRevoked"));
        Assert.Null(AuditDescriptions.Find("NoSuchEvent"));
    }

    /// <summary>An event of the type with every value filled: ids the names know, words for strings, the first enum value.</summary>
    private static object Sample(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke(constructor.GetParameters().Select(p => Value(p.ParameterType, p.Name!)).ToArray());
    }

    private static object? Value(Type type, string name)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(Guid)) return Known;
        if (underlying == typeof(string)) return name + "-text";
        if (underlying == typeof(int) || underlying == typeof(long)) return Convert.ChangeType(2, underlying);
        if (underlying == typeof(bool)) return false;
        if (underlying == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);
        if (underlying == typeof(TimeSpan)) return TimeSpan.FromHours(8);
        if (underlying.IsEnum) return Enum.GetValues(underlying).GetValue(0);
        if (underlying == typeof(ActorRef)) return new ActorRef(Guid.NewGuid(), "admin");
        if (underlying == typeof(Quota)) return new Quota(Cpu: "2", Memory: "4Gi");
        if (underlying == typeof(SecurityPolicy)) return name == "after" ? new SecurityPolicy(ForbidLatestTag: true) : SecurityPolicy.None;
        if (underlying == typeof(WorkloadSpec))
            return new WorkloadSpec("web", WorkloadKind.Deployment, [new ContainerSpec("web", "registry.example.com/web:1.0")], Replicas: 2);
        if (underlying == typeof(AutoscalerSpec)) return new AutoscalerSpec(1, 4, 80);
        if (underlying == typeof(IReadOnlyList<LabelMatcher>)) return new[] { new LabelMatcher("team", "=", "shop") };
        if (underlying == typeof(IReadOnlyList<Domain.Provisioning.Infrastructure>))
            return new[] { Domain.Provisioning.Infrastructure.OpenStack, Domain.Provisioning.Infrastructure.Metal3 };
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            return underlying.GetGenericArguments()[0] == typeof(string) ? new[] { name + "-item" } : Array.CreateInstance(underlying.GetGenericArguments()[0], 0);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            return new Dictionary<string, string>();
        if (underlying == typeof(DefaultLimits)) return null;
        if (underlying == typeof(SmtpSettings)) return new SmtpSettings("smtp.example.com", 587, SmtpTlsMode.StartTls, null, "cocktail@example.com", ["oncall@example.com"]);
        if (underlying == typeof(ChannelSecretHints)) return new ChannelSecretHints("…e.com", true, false);
        if (underlying == typeof(RouteSpec))
            return new RouteSpec([Known], [AlertSeverity.Critical], [new LabelMatcher("team", "=", "shop")], ["cluster"], TimeSpan.FromSeconds(30), TimeSpan.FromHours(4), true);
        if (underlying == typeof(PrometheusLocation))
            return new PrometheusLocation(PrometheusSource.ServiceProxy, "monitoring", "prometheus-operated", "http", 9090);
        if (underlying == typeof(AlertRuleDefinition))
            return new AlertRuleDefinition(name == "before" ? "checkout restarts" : "checkout restarting", null, "increase(restarts[15m]) > 3",
                TimeSpan.FromMinutes(5), AlertSeverity.Warning, new Dictionary<string, string>(), null, null, true);
        if (underlying == typeof(double)) return 0.9;
        if (underlying == typeof(Domain.Charts.ChartVisibility))
            return name == "before" ? Domain.Charts.ChartVisibility.Everyone : Domain.Charts.ChartVisibility.Only([Known]);
        if (underlying == typeof(Domain.Builds.BuildSource))
            return new Domain.Builds.BuildSource("https://git.example.com/shop/web.git", "main", ".", "Dockerfile", new Dictionary<string, string>(), "web", "{branch}-{shortSha}");
        if (underlying == typeof(Domain.Pipelines.PipelineDefinition))
            return new Domain.Pipelines.PipelineDefinition("web",
                new Domain.Pipelines.PipelineSource(Domain.Pipelines.PipelineSourceKind.Git, "https://git.example.com/shop/web.git", "main"),
                [
                    new Domain.Pipelines.PipelineStage("build", Domain.Pipelines.StageKind.Build, BuildDefinition: Known),
                    new Domain.Pipelines.PipelineStage("prod", Domain.Pipelines.StageKind.Deploy, Targets: [new Domain.Pipelines.DeployTarget(Known, "web", ["web"])]),
                ]);
        if (underlying == typeof(Domain.Pipelines.RunTrigger))
            return new Domain.Pipelines.RunTrigger(Domain.Pipelines.TriggerKind.GitPush, "main", "9f2c1e7d3b4a5c6d7e8f90a1b2c3d4e5f6a7b8c9", Detail: "octocat");
        if (underlying == typeof(Domain.Pipelines.PipelineArtifact))
            return new Domain.Pipelines.PipelineArtifact("registry.example.com/shop/web", "v1", "sha256:" + new string('c', 64));
        if (underlying == typeof(Domain.Provisioning.NodePoolSpec)) return Pool();
        if (underlying == typeof(Domain.Charts.ChartReleaseTarget))
            return new Domain.Charts.ChartReleaseTarget(Known, "ux-sim-1", "checkout", null, Known, Known, "checkout");
        if (underlying == typeof(Domain.Charts.ChartSource))
            return new Domain.Charts.ChartSource("https://charts.example.com", Domain.Charts.ChartRepositoryKind.Http, "redis");
        if (underlying == typeof(System.Text.Json.Nodes.JsonObject))
            return new System.Text.Json.Nodes.JsonObject { ["replicaCount"] = name == "before" ? 1 : 3 };
        if (underlying == typeof(Domain.Provisioning.ClusterBlueprint))
            return new Domain.Provisioning.ClusterBlueprint("prod-eu", "default", Domain.Provisioning.Infrastructure.OpenStack, "v1.33.2",
                new Domain.Provisioning.ControlPlaneSpec(3, "m1.large"), [Pool(), Pool() with { Name = "gpu", MachineType = "g1.xlarge", GpusPerNode = 1 }],
                Domain.Provisioning.NetworkSpec.Default, new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = "prod-eu-cloud", ["image"] = "ubuntu-2404-kube-v1.33.2" });
        throw new InvalidOperationException($"The sample does not know how to make a {type.Name} for '{name}'; add it.");
    }

    private static Domain.Provisioning.NodePoolSpec Pool() =>
        new("workers", "m1.large", 3, 2, 5, new Dictionary<string, string> { ["tier"] = "web" }, [new Domain.Provisioning.NodeTaint("dedicated", "web", "NoSchedule")]);

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex FullGuid();
}
