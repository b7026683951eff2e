using System.Net;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Workloads;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// GET /api/v1/clusters/{id}/objects/{kind}/[{ns}/]{name}: one object read live, within the caller's inventory scope.
/// Another team's object on a shared cluster answers exactly as a missing one does (404), so the answer never confirms it exists.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class ClusterObjectsApiTests(TenancyApp app)
{
    [Fact]
    public async Task on_a_shared_cluster_a_member_opens_their_own_objects_and_another_teams_are_not_found_while_auditors_open_everything()
    {
        await using var a = await Tenancy.CreateAsync(app);
        await using var b = await Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var aMap = await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, "own-" + Guid.NewGuid().ToString("N")[..6]);
        var bMap = await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "other-" + Guid.NewGuid().ToString("N")[..6]);
        var aNs = (string)aMap["namespace"]!;
        var bNs = (string)bMap["namespace"]!;
        await a.WaitForStatusAsync((string)aMap["id"]!, "Ready");
        await b.WaitForStatusAsync((string)bMap["id"]!, "Ready");
        using var kube = a.Kube();
        await kube.CoreV1.CreateNamespacedPodAsync(Pod("own-job"), aNs);
        await kube.CoreV1.CreateNamespacedPodAsync(Pod("hidden-job"), bNs);
        var objects = $"/api/v1/clusters/{a.ClusterId}/objects";
        var node = (await kube.CoreV1.ListNodeAsync()).Items[0].Metadata.Name;
        var auditor = await app.CreateUserAsync("Auditor");

        var own = await ClusterApp.WaitForAsync(a.Developer.Client, $"{objects}/pods/{aNs}/own-job",
            p => p["description"]?["node"] is not null, "the pod scheduled");
        var hidden = await a.Developer.Client.GetAsync($"{objects}/pods/{bNs}/hidden-job");
        var missing = await a.Developer.Client.GetAsync($"{objects}/pods/{aNs}/no-such-pod");
        var hiddenNamespace = await a.Viewer.Client.GetAsync($"{objects}/namespaces/{bNs}");
        var system = await a.Viewer.Client.GetAsync($"{objects}/namespaces/kube-system");
        var ownNamespace = await GetAsync(a.Viewer.Client, $"{objects}/namespaces/{aNs}");
        var memberNode = await GetAsync(a.Developer.Client, $"{objects}/nodes/{node}");
        var auditorsView = await GetAsync(auditor.Client, $"{objects}/pods/{bNs}/hidden-job");
        var adminNode = await GetAsync(a.Admin, $"{objects}/nodes/{node}");

        Assert.Equal("Pod", (string?)own["description"]!["kind"]);
        Assert.Contains("name: own-job", (string)own["yaml"]!);
        Assert.DoesNotContain("managedFields", (string)own["yaml"]!);
        Assert.Equal("main", (string?)own["description"]!["containers"]![0]!["name"]);
        Assert.Contains(own["related"]!.AsArray(), r => (string?)r!["kind"] == "Node" && (string?)r["name"] == node);
        Assert.Contains(own["description"]!["fields"]!.AsArray(), f => (string?)f!["name"] == "QoS class");
        foreach (var refused in new[] { hidden, missing, hiddenNamespace, system })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal("No such object, or you may not see it.", (string?)JsonNode.Parse(body)!["detail"]);
            Assert.DoesNotContain(bNs, body);
            Assert.DoesNotContain("hidden-job", body);
        }
        Assert.Equal("Namespace", (string?)ownNamespace["description"]!["kind"]);
        Assert.Contains(ownNamespace["description"]!["fields"]!.AsArray(), f => ((string?)f!["name"])!.StartsWith("Quota", StringComparison.Ordinal));
        Assert.True((bool)memberNode["capacityOnly"]!);
        Assert.Null(memberNode["yaml"]);
        Assert.Empty(memberNode["description"]!["labels"]!.AsObject());
        Assert.DoesNotContain(memberNode["related"]!.AsArray(), r => (string?)r!["namespace"] == bNs);
        Assert.Contains(memberNode["related"]!.AsArray(), r => (string?)r!["name"] == "own-job");
        Assert.Contains("name: hidden-job", (string)auditorsView["yaml"]!);
        Assert.False((bool)adminNode["capacityOnly"]!);
        Assert.NotEmpty(adminNode["description"]!["labels"]!.AsObject());
        Assert.Contains($"name: {node}", (string)adminNode["yaml"]!);
    }

    [Fact]
    public async Task secrets_are_never_served_and_bad_names_are_field_errors()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var objects = $"/api/v1/clusters/{t.ClusterId}/objects";

        var secret = await t.Admin.GetAsync($"{objects}/secrets/default/anything");
        var badName = await t.Admin.GetAsync($"{objects}/pods/default/Not_A_Name");
        var nodeInNamespace = await t.Admin.GetAsync($"{objects}/nodes/default/node-1");
        var badFormat = await t.Admin.GetAsync($"{objects}/namespaces/default?format=xml");

        Assert.Equal(HttpStatusCode.BadRequest, secret.StatusCode);
        Assert.Equal("Secrets are never shown.", (string?)(await secret.BodyAsync())["errors"]!["kind"]![0]);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.NotNull((await badName.BodyAsync())["errors"]!["name"]);
        Assert.Equal(HttpStatusCode.BadRequest, nodeInNamespace.StatusCode);
        Assert.NotNull((await nodeInNamespace.BodyAsync())["errors"]!["namespace"]);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
    }

    [Fact]
    public async Task a_deployment_lists_its_pods_a_service_its_selected_pods_and_endpoints_and_an_ingress_its_backend_service()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "shop-" + Guid.NewGuid().ToString("N")[..6]);
        var ns = (string)map["namespace"]!;
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        var workload = await Workloads.Workloads.DeployAsync(t.Developer.Client, (string)map["id"]!, Workloads.Workloads.Web());
        await Workloads.Workloads.WaitForRolloutAsync(t.Developer.Client, (string)workload["id"]!, "Available");
        var objects = $"/api/v1/clusters/{t.ClusterId}/objects";

        var deployment = await ClusterApp.WaitForAsync(t.Viewer.Client, $"{objects}/deployments/{ns}/web",
            d => d["related"]?.AsArray().Count(r => (string?)r!["kind"] == "Pod") == 2, "the Deployment's two pods");
        var service = await ClusterApp.WaitForAsync(t.Viewer.Client, $"{objects}/services/{ns}/web",
            s => s["related"]?.AsArray().Count(r => (string?)r!["kind"] == "Pod") == 2, "the Service's two pods");
        var ingress = await GetAsync(t.Viewer.Client, $"{objects}/ingresses/{ns}/web");
        var pod = (string)deployment["related"]!.AsArray().First(r => (string?)r!["kind"] == "Pod")!["name"]!;
        var podDetails = await GetAsync(t.Viewer.Client, $"{objects}/pods/{ns}/{pod}");
        var yaml = await t.Viewer.Client.GetAsync($"{objects}/deployments/{ns}/web?format=yaml");
        var previous = await t.Viewer.Client.GetAsync($"/api/v1/workloads/{workload["id"]}/logs?pod={pod}&container=web&previous=true");

        Assert.Contains("2 desired, 2 updated, 2 ready, 2 available", Field(deployment, "Replicas"));
        Assert.Contains(deployment["description"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Available" && (string?)c["status"] == "True");
        Assert.Equal("web", (string?)deployment["description"]!["labels"]!["app.kubernetes.io/name"]);
        Assert.Equal("ClusterIP", Field(service, "Type"));
        Assert.Contains("80/TCP → 8080", Field(service, "Ports"));
        Assert.Matches(@"\d+\.\d+\.\d+\.\d+:8080", Field(service, "Endpoints"));
        Assert.Contains("shop.example.com/ → web:80", Field(ingress, "Rules"));
        Assert.Contains(ingress["related"]!.AsArray(), r => (string?)r!["kind"] == "Service" && (string?)r["name"] == "web");
        Assert.Contains(podDetails["related"]!.AsArray(), r => (string?)r!["kind"] == "Deployment" && (string?)r["name"] == "web");
        Assert.Contains(podDetails["related"]!.AsArray(), r => (string?)r!["kind"] == "ReplicaSet");
        Assert.NotEmpty(podDetails["events"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, yaml.StatusCode);
        var text = await yaml.Content.ReadAsStringAsync();
        Assert.StartsWith("apiVersion: apps/v1", text);
        Assert.DoesNotContain("managedFields", text);
        Assert.Equal(HttpStatusCode.Conflict, previous.StatusCode);
        Assert.Equal($"The cluster refused to send the log: previous terminated container \"web\" in pod \"{pod}\" not found",
            (string?)(await previous.BodyAsync())["detail"]);
    }

    private static string Field(JsonNode details, string name) =>
        (string)details["description"]!["fields"]!.AsArray().First(f => (string?)f!["name"] == name)!["value"]!;

    private static async Task<JsonNode> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main", Image = "registry.example.com/team/app:1",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") } },
            }],
        },
    };
}
