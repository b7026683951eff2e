using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Integration.Tests.Workloads;

[Collection(WorkloadsCollection.Name)]
public sealed class SecurityPolicyTests(AccessApp app)
{
    private static readonly object Strict = new
    {
        podSecurity = "baseline", allowedRegistries = new[] { "registry.example.com" }, forbidLatestTag = true, requireLimits = true,
        forbidPrivilegeEscalation = true, forbidHostPath = true, maxReplicas = 3,
    };

    [Fact]
    public async Task only_platform_admins_set_policies_and_bad_values_are_refused_by_field()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);

        var byWorkspaceAdmin = await t.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", Strict);
        var bad = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy",
            new { allowedRegistries = new[] { "registry.example.com/team" }, maxReplicas = -1 });
        var set = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", Strict);

        Assert.Equal(HttpStatusCode.Forbidden, byWorkspaceAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var policy = await (await t.Developer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy")).BodyAsync();
        Assert.Equal((3, "registry.example.com"), ((int?)policy["maxReplicas"], (string?)policy["allowedRegistries"]![0]));
        var changes = await (await t.Admin.GetAsync("/api/v1/audit/events?type=SecurityPolicyChanged&pageSize=200")).BodyAsync();
        var change = changes["items"]!.AsArray().Single(e => (string?)e!["data"]!["targetId"] == t.WorkspaceId)!;
        Assert.Null((int?)change["data"]!["before"]!["maxReplicas"]);
        Assert.Equal(3, (int?)change["data"]!["after"]!["maxReplicas"]);
    }

    [Fact]
    public async Task a_service_maps_policy_may_only_tighten_its_workspaces()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "tighten");
        await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", Strict);

        var looser = await t.Admin.PutAsJsonAsync($"/api/v1/service-maps/{map["id"]}/policy",
            new { podSecurity = "privileged", allowedRegistries = new[] { "docker.io" }, maxReplicas = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, looser.StatusCode);
        var fields = (await looser.BodyAsync())["errors"]!.AsObject().Select(e => e.Key).Order();
        Assert.Equal(["allowedRegistries", "forbidHostPath", "forbidLatestTag", "forbidPrivilegeEscalation", "maxReplicas", "podSecurity", "requireLimits"], fields);

        var tighter = await t.Admin.PutAsJsonAsync($"/api/v1/service-maps/{map["id"]}/policy", new
        {
            podSecurity = "restricted", allowedRegistries = new[] { "registry.example.com" }, forbidLatestTag = true, requireLimits = true,
            forbidPrivilegeEscalation = true, forbidHostPath = true, maxReplicas = 2,
        });
        Assert.Equal(HttpStatusCode.OK, tighter.StatusCode);
        var set = await tighter.BodyAsync();
        Assert.Equal((3, 2, 2), ((int?)set["workspace"]!["maxReplicas"], (int?)set["serviceMap"]!["maxReplicas"], (int?)set["effective"]!["maxReplicas"]));
        Assert.Equal("Restricted", (string?)set["effective"]!["podSecurity"]);
    }

    [Fact]
    public async Task cocktail_refuses_a_violating_workload_with_every_violation_by_field()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        // A default cpu limit only: the cluster's LimitRange gives it to the container, but no memory limit comes from anywhere.
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "policed", defaultLimits: new { cpu = "500m" });
        await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", Strict);

        var response = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{map["id"]}/workloads", new
        {
            name = "rogue", replicas = 5,
            containers = new[] { new { name = "app", image = "nginx", securityContext = new { privileged = true } } },
            volumes = new[] { new { name = "root", hostPath = "/" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Contains("security policy", (string?)body["detail"]);
        var errors = body["errors"]!.AsObject().ToDictionary(e => e.Key, e => string.Join(" | ", e.Value!.AsArray().Select(m => (string)m!)));
        Assert.Equal(["containers[0].image", "containers[0].resources.limits", "containers[0].securityContext.allowPrivilegeEscalation",
            "containers[0].securityContext.privileged", "replicas", "volumes[0].hostPath"], errors.Keys.Order());
        Assert.Contains("[allowedRegistries]", errors["containers[0].image"]);
        Assert.Contains("[forbidLatestTag]", errors["containers[0].image"]);
        Assert.Contains("[forbidHostPath]", errors["volumes[0].hostPath"]);
        using var kube = t.Kube();
        Assert.Empty((await kube.AppsV1.ListNamespacedDeploymentAsync("policed")).Items);
    }

    [SkippableFact]
    public async Task the_cluster_refuses_what_the_policy_forbids_to_a_kubectl_user_with_an_edit_grant()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "guarded");
        await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", Strict);
        using var kube = t.Kube();
        await Eventually.TrueAsync(async () => (await kube.AdmissionregistrationV1.ListValidatingAdmissionPolicyBindingAsync()).Items
            .Count(b => b.Metadata.Name.StartsWith("cocktail-guarded-")) == 2, because: "the admission policies on the cluster");
        var grant = (string)(await Grants.GrantAsync(t.Admin, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "ServiceMap", serviceMapId = map["id"], role = "edit",
            validUntil = DateTimeOffset.UtcNow.AddHours(1), reason = "debugging",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(t.Developer.Client, grant, "Active");
        var kubeconfig = await Grants.KubeconfigAsync(t.Developer.Client, grant);
        using var asDeveloper = Grants.Client(kubeconfig);

        var rogue = await Assert.ThrowsAsync<HttpOperationException>(() => asDeveloper.AppsV1.CreateNamespacedDeploymentAsync(Deployment("rogue", "nginx:latest", 1), "guarded"));
        Assert.Equal(HttpStatusCode.Forbidden, rogue.Response.StatusCode);
        Assert.Contains("Cocktail security policy", rogue.Response.Content);
        var compliant = await asDeveloper.AppsV1.CreateNamespacedDeploymentAsync(Deployment("fine", "registry.example.com/app:1.2", 2), "guarded");
        Assert.Equal("fine", compliant.Metadata.Name);
        var tooMany = await Assert.ThrowsAsync<HttpOperationException>(() => asDeveloper.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":9}}""", V1Patch.PatchType.MergePatch), "fine", "guarded"));
        Assert.Contains("at most 3 replicas", tooMany.Response.Content);
        var autoscaler = new V2HorizontalPodAutoscaler
        {
            Metadata = new V1ObjectMeta { Name = "fine" },
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "fine" },
                MinReplicas = 1, MaxReplicas = 9,
            },
        };
        var scaledPastIt = await Assert.ThrowsAsync<HttpOperationException>(() => asDeveloper.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(autoscaler, "guarded"));
        Assert.Equal(HttpStatusCode.Forbidden, scaledPastIt.Response.StatusCode);
        Assert.Contains("at most 3 replicas", scaledPastIt.Response.Content);

        var kubectl = await Grants.KubectlAsync(kubeconfig, "-n", "guarded", "create", "deployment", "viakubectl", "--image=docker.io/library/nginx:1.27");
        Assert.NotEqual(0, kubectl.ExitCode);
        Assert.Contains("Cocktail security policy", kubectl.Output);
    }

    [Fact]
    public async Task the_policy_report_lists_running_workloads_that_break_a_tightened_policy()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "report");
        var mapId = (string)map["id"]!;
        await Workloads.DeployAsync(t.Developer.Client, mapId, Workloads.Web(replicas: 3));
        await Workloads.DeployAsync(t.Developer.Client, mapId, new
        {
            name = "legacy", containers = new[] { new { name = "app", image = "docker.io/library/httpd" } },
        });
        var before = await (await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy-report")).BodyAsync();
        Assert.Empty(before["violating"]!.AsArray());

        await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { allowedRegistries = new[] { "registry.example.com" } });
        await t.Admin.PutAsJsonAsync($"/api/v1/service-maps/{mapId}/policy", new { allowedRegistries = new[] { "registry.example.com" }, maxReplicas = 2 });
        var report = await (await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy-report")).BodyAsync();

        Assert.Equal(2, (int?)report["workloadsChecked"]);
        var violating = report["violating"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!["violations"]!.AsArray().Select(x => (string)x!["rule"]!).ToList());
        Assert.Equal(["allowedRegistries"], violating["legacy"]);
        Assert.Equal(["maxReplicas"], violating["web"]);
    }

    private static V1Deployment Deployment(string name, string image, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "app", Image = image,
                            Resources = new V1ResourceRequirements
                            {
                                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("32Mi") },
                            },
                            SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false },
                        },
                    ],
                },
            },
        },
    };
}
