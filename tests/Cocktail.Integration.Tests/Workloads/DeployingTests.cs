using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Integration.Tests.Workloads;

[Collection(WorkloadsCollection.Name)]
public sealed class DeployingTests(AccessApp app)
{
    [Fact]
    public async Task a_deployed_workload_is_its_deployment_service_and_ingress_on_the_cluster_and_becomes_available()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "shop");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");

        var created = await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web());
        var id = (string)created["id"]!;

        Assert.Equal((1, "Pending"), ((int?)created["revision"], (string?)created["rollout"]));
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");
        using var kube = t.Kube();
        var deployment = await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(id, deployment.Spec.Selector.MatchLabels["cocktail.io/workload"]);
        Assert.Equal("1", deployment.Metadata.Labels["cocktail.io/revision"]);
        Assert.Equal(("registry.example.com/shop/web:1.0", "/app/web", "8080"), (container.Image, container.Command.Single(), container.Args[1]));
        Assert.Equal("production", container.Env.Single(e => e.Name == "MODE").Value);
        Assert.Equal(("100m", "128Mi"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Limits["memory"].ToString()));
        Assert.Equal(("/healthz", "8080"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
        Assert.Contains(deployment.Metadata.ManagedFields, f => f.Manager == "cocktail" && f.Operation == "Apply");
        var service = await kube.CoreV1.ReadNamespacedServiceAsync("web", "shop");
        Assert.Equal((80, "8080"), (service.Spec.Ports.Single().Port, service.Spec.Ports.Single().TargetPort.Value));
        Assert.Equal(id, service.Spec.Selector["cocktail.io/workload"]);
        var ingress = await kube.NetworkingV1.ReadNamespacedIngressAsync("web", "shop");
        var rule = ingress.Spec.Rules.Single();
        Assert.Equal(("shop.example.com", "/", "web", 80), (rule.Host, rule.Http.Paths[0].Path, rule.Http.Paths[0].Backend.Service.Name,
            rule.Http.Paths[0].Backend.Service.Port.Number));
        var pods = await (await t.Developer.Client.GetAsync($"/api/v1/workloads/{id}/pods")).BodyAsync();
        Assert.Equal(2, pods.AsArray().Count);
        Assert.All(pods.AsArray(), p => Assert.True((bool)p!["ready"]!));
    }

    [Fact]
    public async Task yaml_gives_the_same_spec_as_the_form_and_fields_cocktail_cannot_carry_are_refused_by_path()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "yaml");
        var mapId = (string)map["id"]!;
        var fromForm = await Workloads.DeployAsync(t.Developer.Client, mapId, Workloads.Web());
        var yaml = await t.Developer.Client.GetStringAsync($"/api/v1/workloads/{fromForm["id"]}/yaml");
        Assert.Contains("kind: Deployment", yaml);
        Assert.DoesNotContain("cocktail.io/workload", yaml); // the portable form: Cocktail adds its own labels when applying

        var fromYaml = await Workloads.DeployAsync(t.Developer.Client, mapId, new { yaml = yaml.Replace("name: web", "name: web-copy") });

        Assert.Equal(fromForm["spec"]!.ToJsonString().Replace("\"web\"", "\"web-copy\""), fromYaml["spec"]!.ToJsonString());

        var refused = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{mapId}/workloads", new
        {
            yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: api
                spec:
                  selector: { matchLabels: { app: api } }
                  template:
                    metadata: { labels: { app: api } }
                    spec:
                      nodeSelector: { disk: ssd }
                      containers:
                      - name: api
                        image: registry.example.com/api:1
                        env:
                        - name: PASSWORD
                          valueFrom: { secretKeyRef: { name: db, key: password } }
                """,
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problems = (await refused.BodyAsync())["errors"]!["yaml"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Contains(problems, p => p.StartsWith("Deployment.spec.template.spec.nodeSelector:"));
        Assert.Contains(problems, p => p.StartsWith("Deployment.spec.template.spec.containers[0].env[0].valueFrom:"));

        var notYaml = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{mapId}/workloads", new { yaml = "kind: [unclosed" });
        Assert.Equal(HttpStatusCode.BadRequest, notYaml.StatusCode);
        Assert.StartsWith("The YAML could not be read", (string?)(await notYaml.BodyAsync())["errors"]!["yaml"]![0]);
    }

    [Fact]
    public async Task invalid_fields_are_refused_all_at_once_and_nothing_reaches_the_cluster()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "bad");
        var response = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{map["id"]}/workloads", new
        {
            name = "Web_App", kind = "Deployment", replicas = -1,
            containers = new[] { new { name = "web", image = "", resources = new { requests = new { cpu = "lots" } } } },
            ingress = new { host = "shop.example.com" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.BodyAsync())["errors"]!.AsObject().Select(e => e.Key).Order().ToList();
        Assert.Equal(["containers[0].image", "containers[0].resources", "ingress", "name", "replicas"], errors);
        using var kube = t.Kube();
        Assert.Empty((await kube.AppsV1.ListNamespacedDeploymentAsync("bad")).Items);
        var listed = await (await t.Developer.Client.GetAsync($"/api/v1/service-maps/{map["id"]}/workloads")).BodyAsync();
        Assert.Equal(0, (int?)listed["total"]);
    }

    [Fact]
    public async Task viewers_cannot_deploy_and_other_workspaces_do_not_see_the_workload()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "private");
        var id = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web()))["id"]!;
        var outsider = await app.CreateUserAsync();

        var viewerDeploy = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/service-maps/{map["id"]}/workloads", Workloads.Web());
        var viewerScale = await t.Viewer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/scale", new { replicas = 5 });

        Assert.Equal(HttpStatusCode.Forbidden, viewerDeploy.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerScale.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await t.Viewer.Client.GetAsync($"/api/v1/workloads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync($"/api/v1/workloads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync($"/api/v1/workloads/{id}/revisions")).StatusCode);
        var duplicate = await t.Developer.Client.PostAsJsonAsync($"/api/v1/service-maps/{map["id"]}/workloads", Workloads.Web());
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task scaling_changing_the_image_and_rolling_back_change_the_cluster_and_the_history_shows_each_diff()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "roll");
        var id = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web()))["id"]!;
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");
        using var kube = t.Kube();

        var scaled = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/scale", new { replicas = 3, reason = "more traffic" });
        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        await Eventually.TrueAsync(async () => (await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "roll")).Spec.Replicas == 3, because: "3 replicas");
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");

        var changed = await t.Developer.Client.PutAsJsonAsync($"/api/v1/workloads/{id}", Workloads.Web("registry.example.com/shop/web:1.1", replicas: 3));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await Eventually.TrueAsync(async () => Image(await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "roll")) == "registry.example.com/shop/web:1.1",
            because: "the new image");
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");

        var rolledBack = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/rollback", new { revision = 1, reason = "1.1 is broken" });
        Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        Assert.Equal(4, (int?)(await rolledBack.BodyAsync())["revision"]);
        var restored = await Eventually.GetAsync(() => kube.AppsV1.ReadNamespacedDeploymentAsync("web", "roll"),
            d => Image(d) == "registry.example.com/shop/web:1.0" && d.Spec.Replicas == 2, because: "revision 1 restored");
        Assert.Equal("4", restored.Metadata.Labels["cocktail.io/revision"]);

        var history = (await (await t.Developer.Client.GetAsync($"/api/v1/workloads/{id}/revisions")).BodyAsync()).AsArray();
        Assert.Equal(["Rolled back", "Updated", "Scaled", "Deployed"], history.Select(r => (string)r!["change"]!));
        Assert.Equal(1, (int?)history[0]!["restoredRevision"]);
        Assert.Equal("1.1 is broken", (string?)history[0]!["reason"]);
        Assert.Equal(t.Developer.UserName, (string?)history[0]!["by"]);
        Assert.Equal(Changes(("containers[0].image", "registry.example.com/shop/web:1.1", "registry.example.com/shop/web:1.0"), ("replicas", "3", "2")),
            Changes(history[0]!));
        Assert.Equal(Changes(("containers[0].image", "registry.example.com/shop/web:1.0", "registry.example.com/shop/web:1.1")), Changes(history[1]!));
        Assert.Equal(Changes(("replicas", "2", "3")), Changes(history[2]!));

        var noSuchRevision = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/rollback", new { revision = 9 });
        Assert.Equal(HttpStatusCode.BadRequest, noSuchRevision.StatusCode);
        Assert.NotNull((await noSuchRevision.BodyAsync())["errors"]!["revision"]);
    }

    [Fact]
    public async Task an_autoscaler_becomes_a_horizontal_pod_autoscaler_and_keeps_the_running_replicas()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "auto");
        var id = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web(replicas: 3)))["id"]!;
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");
        using var kube = t.Kube();

        var scaled = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/scale",
            new { autoscaler = new { minReplicas = 2, maxReplicas = 6, cpuTargetPercent = 70 } });

        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        var hpa = await Eventually.GetAsync(async () =>
        {
            try { return await kube.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", "auto"); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
        }, h => h is not null, because: "the autoscaler");
        Assert.Equal((2, 6, "Deployment", "web"), (hpa!.Spec.MinReplicas, hpa.Spec.MaxReplicas, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.Equal(70, hpa.Spec.Metrics.Single().Resource.Target.AverageUtilization);
        // Not reset by the handover (neither to the old default of 1 nor to minReplicas): the 3 running stay, or the autoscaler adds.
        Assert.InRange((await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "auto")).Spec.Replicas ?? 0, 3, 6);

        var nothing = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/scale", new { reason = "forgot the numbers" });
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Equal("Give replicas or an autoscaler.", (string?)(await nothing.BodyAsync())["errors"]!["replicas"]![0]);

        var manual = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{id}/scale", new { replicas = 2 });
        Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            try { await kube.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", "auto"); return false; }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return true; }
        }, because: "the autoscaler removed");
        await Eventually.TrueAsync(async () => (await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "auto")).Spec.Replicas == 2, because: "2 replicas");
    }

    [Fact]
    public async Task an_over_quota_deployment_shows_the_clusters_quota_error_and_a_bad_image_shows_the_pull_failure()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "small", quota: new { cpu = "500m", memory = "1Gi", gpu = "0", storage = "1Gi", pods = "10" });
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");

        var big = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web(cpu: "200m", replicas: 3)))["id"]!;
        var stalled = await Workloads.WaitForRolloutAsync(t.Developer.Client, big, "Stalled");

        Assert.Contains("exceeded quota: cocktail-quota", (string?)stalled["rolloutMessage"]);

        var pulling = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, new
        {
            name = "broken", replicas = 1,
            containers = new[] { new { name = "app", image = "registry.example.com/does-not-exist:1", resources = new { requests = new { cpu = "10m", memory = "16Mi" } } } },
        }))["id"]!;
        var failing = await Workloads.WaitForRolloutAsync(t.Developer.Client, pulling, "Stalled");

        Assert.Matches("^(ErrImagePull|ImagePullBackOff): container app", (string?)failing["rolloutMessage"]);
        var events = await (await t.Developer.Client.GetAsync($"/api/v1/workloads/{pulling}/events")).BodyAsync();
        Assert.Contains(events["items"]!.AsArray(), e => ((string?)e!["message"])?.Contains("ErrImagePull") == true);
    }

    [Fact]
    public async Task a_change_made_by_hand_on_the_cluster_shows_as_drift_until_the_spec_is_applied_again()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "drift");
        var id = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web()))["id"]!;
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");
        using var kube = t.Kube();

        await kube.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", "drift");
        var drifted = await ClusterApp.WaitForAsync(t.Developer.Client, $"/api/v1/workloads/{id}", w => w["drift"]!.AsArray().Count > 0, "drift", 30);

        Assert.Equal("replicas: 5 on the cluster, 2 in Cocktail", (string?)drifted["drift"]![0]);
        Assert.Equal(HttpStatusCode.Accepted, (await t.Developer.Client.PostAsync($"/api/v1/workloads/{id}/reapply", null)).StatusCode);
        await ClusterApp.WaitForAsync(t.Developer.Client, $"/api/v1/workloads/{id}", w => w["drift"]!.AsArray().Count == 0, "no drift", 30);
        Assert.Equal(2, (await kube.AppsV1.ReadNamespacedDeploymentAsync("web", "drift")).Spec.Replicas);
    }

    [Fact]
    public async Task logs_come_from_the_workloads_pods_and_deleting_removes_its_objects()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "logs");
        var id = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Web(replicas: 1)))["id"]!;
        await Workloads.WaitForRolloutAsync(t.Developer.Client, id, "Available");

        var log = await Eventually.GetAsync(async () => await t.Viewer.Client.GetAsync($"/api/v1/workloads/{id}/logs?tailLines=5"),
            r => r.StatusCode == HttpStatusCode.OK && r.Content.Headers.ContentLength != 0, because: "log lines");
        Assert.StartsWith("web-", log.Headers.GetValues("X-Pod").Single());
        Assert.NotEmpty(await log.Content.ReadAsStringAsync());
        var stranger = await t.Viewer.Client.GetAsync($"/api/v1/workloads/{id}/logs?pod=kube-apiserver");
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        using (var follow = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            // One line from the past, then only what is written while the request stays open.
            using var response = await t.Viewer.Client.GetAsync($"/api/v1/workloads/{id}/logs?follow=true&tailLines=1", HttpCompletionOption.ResponseHeadersRead, follow.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(follow.Token));
            var first = await reader.ReadLineAsync(follow.Token);
            var second = await reader.ReadLineAsync(follow.Token); // written after the request: the log is followed
            Assert.False(string.IsNullOrEmpty(first) || string.IsNullOrEmpty(second));
        }

        var deleted = await t.Developer.Client.DeleteAsync($"/api/v1/workloads/{id}?reason=retired");

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        using var kube = t.Kube();
        await Eventually.TrueAsync(async () => (await kube.AppsV1.ListNamespacedDeploymentAsync("logs")).Items.Count == 0 &&
                                               (await kube.CoreV1.ListNamespacedServiceAsync("logs")).Items.Count == 0 &&
                                               (await kube.NetworkingV1.ListNamespacedIngressAsync("logs")).Items.Count == 0, because: "the objects deleted");
        Assert.Equal(HttpStatusCode.NotFound, (await t.Developer.Client.GetAsync($"/api/v1/workloads/{id}")).StatusCode);
        var trail = await (await t.Admin.GetAsync($"/api/v1/audit/events?streamId={id}&type=WorkloadDeleted")).BodyAsync();
        Assert.Equal("retired", (string?)trail["items"]![0]!["data"]!["reason"]);
    }

    [Fact]
    public async Task jobs_run_to_completion_and_cron_jobs_are_scheduled()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "batch");
        var resources = new { requests = new { cpu = "10m", memory = "16Mi" } };
        var job = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, new
        {
            name = "report", kind = "Job", containers = new[] { new { name = "report", image = "registry.example.com/report:2", resources } },
        }))["id"]!;
        var cron = (string)(await Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, new
        {
            name = "nightly", kind = "CronJob", schedule = "0 3 * * *",
            containers = new[] { new { name = "backup", image = "registry.example.com/backup:5", resources } },
        }))["id"]!;

        await Workloads.WaitForRolloutAsync(t.Developer.Client, job, "Complete");
        await Workloads.WaitForRolloutAsync(t.Developer.Client, cron, "Available");
        using var kube = t.Kube();
        Assert.Equal("0 3 * * *", (await kube.BatchV1.ReadNamespacedCronJobAsync("nightly", "batch")).Spec.Schedule);
        var noReplicas = await t.Developer.Client.PostAsJsonAsync($"/api/v1/workloads/{job}/scale", new { replicas = 2 });
        Assert.Equal(HttpStatusCode.BadRequest, noReplicas.StatusCode);
    }

    private static string Image(V1Deployment d) => d.Spec.Template.Spec.Containers[0].Image;

    private static List<string> Changes(JsonNode revision) =>
        revision["changes"]!.AsArray().Select(c => $"{c!["field"]}: {c["before"]} -> {c["after"]}").ToList();

    private static List<string> Changes(params (string Field, string Before, string After)[] changes) =>
        changes.Select(c => $"{c.Field}: {c.Before} -> {c.After}").ToList();
}
