using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Provisioning;

/// <summary>
/// Cocktail with the Cluster API reconciler following quickly: clusters created, followed, registered, upgraded,
/// scaled and deleted through a management KubeSim whose simulated Cluster API controllers start new KubeSim clusters.
/// </summary>
public sealed class ProvisioningLifecycleApp : CocktailApp
{
    public ProvisioningLifecycleApp()
    {
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:05");
        WithSetting("Cocktail:Provisioning:Resync", "00:00:10");
        WithSetting("Cocktail:Provisioning:TargetsInterval", "00:00:00.500");
        WithSetting("Cocktail:Provisioning:LeadershipInterval", "00:00:01");
    }
}

[CollectionDefinition(Name)]
public sealed class ProvisioningLifecycleCollection : ICollectionFixture<ProvisioningLifecycleApp>
{
    public const string Name = "provisioning-lifecycle";
}

[Collection(ProvisioningLifecycleCollection.Name)]
public sealed class ProvisioningLifecycleTests(ProvisioningLifecycleApp app)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task an_openstack_cluster_is_created_followed_registered_upgraded_scaled_and_deleted()
    {
        await using var management = await StartManagementAsync();
        using var admin = await app.AsAdminAsync();
        var managementId = await RegisterAndEnableAsync(admin, management);
        var name = $"os-{Guid.NewGuid():N}"[..12];

        var id = await ProvisionAsync(admin, managementId, OpenStack(name, "v1.33.2", pools: [("workers", 2)]));

        // Followed: conditions as events, then provisioned.
        var provisioned = await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Provisioned", "the cluster provisioned");
        Assert.Equal("v1.33.2", (string?)provisioned["kubernetesVersion"]);
        var events = await EventTypesAsync(admin, id);
        Assert.Contains("ClusterObjectsApplied", events);
        Assert.Contains("ClusterConditionChanged", events);
        Assert.True(events.IndexOf("ClusterProvisioned") > events.IndexOf("ClusterConditionChanged"));
        var conditions = (await DetailsAsync(admin, id))["view"]!["conditions"]!.AsArray();
        Assert.Contains(conditions, c => (string?)c!["type"] == "Available" && (string?)c["status"] == "True");
        Assert.Contains(conditions, c => (string?)c!["type"] == "InfrastructureReady");

        // Registered by Cocktail itself with a service account of its own, not the admin certificate Cluster API wrote.
        var registeredId = (string?)(await WaitForViewAsync(admin, id, v => v["registeredClusterId"] is not null, "the cluster registered"))["registeredClusterId"];
        var registered = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{registeredId}",
            c => (int?)c["summary"]?["nodesTotal"] == 3, "the registered cluster's nodes (1 control plane + 2 workers)", seconds: 60);
        Assert.Equal(name, (string?)registered["cluster"]!["name"]);
        Assert.Equal("OpenStack", (string?)registered["cluster"]!["provider"]);
        Assert.Equal("BearerToken", (string?)registered["cluster"]!["credentialKind"]);
        Assert.Equal("cluster-api", (string?)registered["cluster"]!["labels"]!["cocktail.io/provisioned-by"]);
        Assert.Equal(management.Name, (string?)registered["cluster"]!["labels"]!["cocktail.io/management-cluster"]);
        Assert.Equal("v1.33.2", (string?)registered["cluster"]!["kubernetesVersion"]);
        var workload = management.WorkloadClusters[$"default/{name}"];
        Assert.NotNull(workload.Objects.Get("v1", "ServiceAccount", "cocktail", "kube-system"));
        var binding = workload.Objects.Get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "cocktail")!;
        Assert.Equal("cluster-admin", (string?)binding["roleRef"]!["name"]);
        Assert.Equal("cocktail", (string?)binding["subjects"]![0]!["name"]);

        // A second registration pass changes nothing.
        var clusters = await (await admin.GetAsync("/api/v1/clusters")).BodyAsync();
        Assert.Single(Items(clusters), c => (string?)c!["cluster"]!["name"] == name);

        // A two-minor skip is refused; one minor goes control plane first, then each pool.
        var skip = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.35.0", reason = "too far" });
        Assert.Equal(HttpStatusCode.BadRequest, skip.StatusCode);
        Assert.Contains("one minor version at a time", await skip.Content.ReadAsStringAsync());
        var upgrade = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.34.0", reason = "stay current" });
        Assert.Equal(HttpStatusCode.Accepted, upgrade.StatusCode);
        await WaitForViewAsync(admin, id, v => (string?)v["kubernetesVersion"] == "v1.34.0" && v["upgrade"] is null, "the upgrade done", seconds: 120);
        var steps = await EventsAsync(admin, id, "ClusterUpgradeStepCompleted");
        Assert.Equal(["control plane", "workers"], steps.Select(e => (string?)e["data"]!["step"]).ToList());
        Assert.Contains("ClusterUpgraded", await EventTypesAsync(admin, id));
        await UntilAsync(() => workload.Objects.List("v1", "Node").All(n => (string?)n["status"]?["nodeInfo"]?["kubeletVersion"] == "v1.34.0"),
            Long, "every node of the workload cluster on v1.34.0");

        // Scale a pool: one more node in the workload cluster.
        var scale = await admin.PutAsJsonAsync($"/api/v1/provisioned-clusters/{id}/node-pools/workers/replicas", new { replicas = 3, reason = "more room" });
        Assert.Equal(HttpStatusCode.Accepted, scale.StatusCode);
        await UntilAsync(() => workload.Objects.List("v1", "Node").Count == 4, Long, "a fourth node");
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{registeredId}", c => (int?)c["summary"]?["nodesTotal"] == 4, "four nodes in the inventory", seconds: 60);

        // Delete with the typed confirmation: the Cluster goes, then the registered cluster is unregistered.
        var wrong = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/delete", new { confirm = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var delete = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/delete", new { confirm = name, reason = "done" });
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await UntilAsync(() => management.Objects.Get("cluster.x-k8s.io/v1beta2", "Cluster", name, "default") is null, Long, "the Cluster gone");
        await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Deleted", "the cluster deleted");
        await UntilAsync(async () => !Items(await (await admin.GetAsync("/api/v1/clusters")).BodyAsync()).Any(c => (string?)c!["cluster"]!["name"] == name),
            Long, "the registered cluster unregistered");
        var unregistered = await (await admin.GetAsync($"/api/v1/audit/events?streamId={registeredId}&type=ClusterUnregistered")).BodyAsync();
        Assert.Contains(Items(unregistered), e => (string?)e!["data"]?["reason"] == $"Deleted through Cluster API on '{management.Name}'");
    }

    [Fact]
    public async Task the_failure_annotation_makes_provisioning_fail_with_the_providers_reason()
    {
        await using var management = await StartManagementAsync();
        using var admin = await app.AsAdminAsync();
        var managementId = await RegisterAndEnableAsync(admin, management);
        var name = $"fail-{Guid.NewGuid():N}"[..12];
        var id = await ProvisionAsync(admin, managementId, OpenStack(name, "v1.33.2", pools: [("workers", 1)]));
        await management.Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "Cluster", name, "default", _ => true, Long);
        management.Objects.MergePatch("cluster.x-k8s.io/v1beta2", "Cluster", name, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["kubesim.cocktail.io/provision-failure"] = "Quota exceeded for instances" } },
        });

        var failed = await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Failed", "the provisioning failed");
        Assert.Equal("OpenStackError", (string?)failed["lastFailure"]!["reason"]);
        Assert.Contains("Quota exceeded", (string?)failed["lastFailure"]!["message"]);
        Assert.Contains("ClusterProvisioningFailed", await EventTypesAsync(admin, id));
    }

    [Fact]
    public async Task a_failed_upgrade_stops_before_the_later_pools()
    {
        await using var management = await StartManagementAsync();
        using var admin = await app.AsAdminAsync();
        var managementId = await RegisterAndEnableAsync(admin, management);
        var name = $"upf-{Guid.NewGuid():N}"[..12];
        var id = await ProvisionAsync(admin, managementId, OpenStack(name, "v1.33.2", pools: [("first", 1), ("second", 1)]));
        await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Provisioned", "the cluster provisioned");
        var first = management.Objects.List("cluster.x-k8s.io/v1beta2", "MachineDeployment", "default", $"cluster.x-k8s.io/cluster-name={name}")
            .Single(md => ((string?)md["metadata"]!["name"])!.EndsWith("first", StringComparison.Ordinal));
        management.Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachineDeployment", (string)first["metadata"]!["name"]!, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["kubesim.cocktail.io/upgrade-failure"] = "No valid host was found" } },
        });

        var upgrade = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.34.0" });
        Assert.Equal(HttpStatusCode.Accepted, upgrade.StatusCode);

        var failedUpgrade = await Eventually.GetAsync(() => EventsAsync(admin, id, "ClusterUpgradeFailed"), e => e.Count == 1, Long, "the upgrade failed");
        Assert.Equal("first", (string?)failedUpgrade[0]["data"]!["step"]);
        var started = (await EventsAsync(admin, id, "ClusterUpgradeStepStarted")).Select(e => (string?)e["data"]!["step"]).ToList();
        Assert.DoesNotContain("second", started);
        var second = management.Objects.List("cluster.x-k8s.io/v1beta2", "MachineDeployment", "default", $"cluster.x-k8s.io/cluster-name={name}")
            .Single(md => ((string?)md["metadata"]!["name"])!.EndsWith("second", StringComparison.Ordinal));
        Assert.Equal("v1.33.2", (string?)second["spec"]!["template"]!["spec"]!["version"]);
        Assert.Null((await DetailsAsync(admin, id))["view"]!["upgrade"]);
    }

    [Fact]
    public async Task an_eks_cluster_is_provisioned_and_registered()
    {
        await using var management = await StartManagementAsync();
        using var admin = await app.AsAdminAsync();
        var managementId = await RegisterAndEnableAsync(admin, management);
        var name = $"eks-{Guid.NewGuid():N}"[..12];
        var id = await ProvisionAsync(admin, managementId, new
        {
            managementClusterId = managementId, name, @namespace = "default", infrastructure = "Eks", kubernetesVersion = "v1.33.0",
            nodePools = new[] { new { name = "workers", machineType = "m6i.large", replicas = 2 } },
            settings = new Dictionary<string, string> { ["region"] = "eu-west-1" }, reason = "managed",
        });

        await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Provisioned", "the EKS cluster provisioned");
        var registeredId = (string?)(await WaitForViewAsync(admin, id, v => v["registeredClusterId"] is not null, "the EKS cluster registered"))["registeredClusterId"];
        var registered = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{registeredId}",
            c => (int?)c["summary"]?["nodesTotal"] == 2, "the two EKS nodes", seconds: 60);
        Assert.Equal("EKS", (string?)registered["cluster"]!["provider"]);
    }

    [Fact]
    public async Task a_cluster_class_topology_cluster_is_provisioned_registered_and_upgraded_through_its_topology_version()
    {
        await using var management = await StartManagementAsync();
        await InstallClusterClassAsync(management, "default", "openstack-kubeadm", "default-worker");
        using var admin = await app.AsAdminAsync();
        var managementId = await RegisterAndEnableAsync(admin, management);
        var classes = await (await admin.GetAsync($"/api/v1/clusters/{managementId}/cluster-api")).BodyAsync();
        Assert.Contains(classes["clusterClasses"]!.AsArray(), c => (string?)c!["name"] == "openstack-kubeadm");
        var name = $"topo-{Guid.NewGuid():N}"[..12];

        var id = await ProvisionAsync(admin, managementId, new
        {
            name, @namespace = "default", infrastructure = "OpenStack", kubernetesVersion = "v1.33.2", clusterClass = "openstack-kubeadm",
            controlPlane = new { replicas = 1 },
            nodePools = new[] { new { name = "md-0", machineType = "default-worker", replicas = 2 } },
            settings = new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = "openstack-cloud-config", ["image"] = "ubuntu-2404-kube" },
            reason = "topology",
        });

        await WaitForViewAsync(admin, id, v => (string?)v["status"] == "Provisioned", "the topology cluster provisioned");
        // Cocktail applied only the Cluster with spec.topology; Cluster API's topology controller made the rest.
        var cluster = management.Objects.Get("cluster.x-k8s.io/v1beta2", "Cluster", name, "default")!;
        Assert.Equal("openstack-kubeadm", (string?)cluster["spec"]!["topology"]!["classRef"]!["name"]);
        var controlPlane = Assert.Single(management.Objects.List("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "default"),
            k => (string?)k["metadata"]!["labels"]?["cluster.x-k8s.io/cluster-name"] == name);
        Assert.NotNull(controlPlane["metadata"]!["labels"]!["topology.cluster.x-k8s.io/owned"]);
        Assert.DoesNotContain(management.Objects.List("cluster.x-k8s.io/v1beta2", "MachineDeployment", "default"),
            m => (string?)m["metadata"]!["name"] == $"{name}-md-0"); // not the name Cocktail gives pools it builds itself
        var registeredId = (string?)(await WaitForViewAsync(admin, id, v => v["registeredClusterId"] is not null, "the topology cluster registered"))["registeredClusterId"];
        await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{registeredId}",
            c => (int?)c["summary"]?["nodesTotal"] == 3, "1 control plane + 2 workers from the class", seconds: 60);
        var view = (await DetailsAsync(admin, id))["view"]!;
        Assert.Equal("openstack-kubeadm", (string?)view["clusterClass"]);
        Assert.Contains(view["nodePools"]!.AsArray(), p => (string?)p!["name"] == "md-0");

        // The upgrade moves spec.topology.version; the topology controller rolls the control plane, then the workers.
        var upgrade = await admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.34.0", reason = "stay current" });
        Assert.Equal(HttpStatusCode.Accepted, upgrade.StatusCode);
        await WaitForViewAsync(admin, id, v => (string?)v["kubernetesVersion"] == "v1.34.0" && v["upgrade"] is null, "the topology upgrade done", seconds: 120);
        Assert.Equal("v1.34.0", (string?)management.Objects.Get("cluster.x-k8s.io/v1beta2", "Cluster", name, "default")!["spec"]!["topology"]!["version"]);
        var steps = await EventsAsync(admin, id, "ClusterUpgradeStepCompleted");
        Assert.Equal(["control plane", "md-0"], steps.Select(e => (string?)e["data"]!["step"]).ToList());
        var workload = management.WorkloadClusters[$"default/{name}"];
        await UntilAsync(() => workload.Objects.List("v1", "Node").All(n => (string?)n["status"]?["nodeInfo"]?["kubeletVersion"] == "v1.34.0"),
            Long, "every node of the topology cluster on v1.34.0");
    }

    /// <summary>
    /// A ClusterClass for OpenStack with kubeadm, and the templates it names, as a platform team would install them.
    /// CAPO ships OpenStackClusterTemplate but the shared CRD set does not carry it, so its CRD is installed here with
    /// its spec kept as given.
    /// </summary>
    private static async Task InstallClusterClassAsync(KubeSimCluster management, string ns, string name, string workerClass)
    {
        JsonObject Obj(string json, string template = "") =>
            JsonNode.Parse(json.Replace("%ns%", ns).Replace("%name%", name).Replace("%class%", workerClass).Replace("%template%", template))!.AsObject();
        management.Objects.Create(Obj("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"openstackclustertemplates.infrastructure.cluster.x-k8s.io"},
             "spec":{"group":"infrastructure.cluster.x-k8s.io","scope":"Namespaced",
                     "names":{"kind":"OpenStackClusterTemplate","listKind":"OpenStackClusterTemplateList","plural":"openstackclustertemplates","singular":"openstackclustertemplate"},
                     "versions":[{"name":"v1beta2","served":true,"storage":true,
                                  "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
            """));
        await UntilAsync(() => management.Objects.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "openstackclustertemplates.infrastructure.cluster.x-k8s.io")
            ?["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True") == true,
            TimeSpan.FromSeconds(10), "the OpenStackClusterTemplate CRD established");
        foreach (var template in new[] { "workers", "control-plane" })
            management.Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","metadata":{"name":"%template%","namespace":"%ns%"},"spec":{"template":{"spec":{"flavor":{"filter":{"name":"m1.medium"}},"image":{"filter":{"name":"ubuntu-2404-kube"}}}}}}""", template));
        management.Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackClusterTemplate","metadata":{"name":"cluster","namespace":"%ns%"},"spec":{"template":{"spec":{"identityRef":{"name":"openstack-cloud-config","cloudName":"openstack"}}}}}"""));
        management.Objects.Create(Obj("""{"apiVersion":"bootstrap.cluster.x-k8s.io/v1beta2","kind":"KubeadmConfigTemplate","metadata":{"name":"workers","namespace":"%ns%"},"spec":{"template":{"spec":{"joinConfiguration":{"nodeRegistration":{"name":"{{ local_hostname }}"}}}}}}"""));
        management.Objects.Create(Obj("""
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"ClusterClass","metadata":{"name":"%name%","namespace":"%ns%"},
             "spec":{"infrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackClusterTemplate","name":"cluster"}},
                     "controlPlane":{"templateRef":{"apiVersion":"controlplane.cluster.x-k8s.io/v1beta2","kind":"KubeadmControlPlaneTemplate","name":"control-plane"},
                                     "machineInfrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","name":"control-plane"}}},
                     "workers":{"machineDeployments":[{"class":"%class%",
                        "bootstrap":{"templateRef":{"apiVersion":"bootstrap.cluster.x-k8s.io/v1beta2","kind":"KubeadmConfigTemplate","name":"workers"}},
                        "infrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","name":"workers"}}}]}}}
            """));
    }

    private static async Task<KubeSimCluster> StartManagementAsync()
    {
        var management = await KubeSimCluster.StartAsync(new KubeSimOptions
        {
            Name = $"mgmt-{Guid.NewGuid():N}"[..12], Nodes = 1, ClusterApiStepDelay = TimeSpan.FromMilliseconds(100),
        });
        await SharedCrds.InstallClusterApiAsync(management);
        // The OpenStack identity Secret the blueprint names (clouds.yaml): a reference for Cocktail, never read by it.
        management.Objects.Create(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "openstack-cloud-config", ["namespace"] = "default" },
            ["stringData"] = new JsonObject { ["clouds.yaml"] = "clouds:\n  openstack:\n    auth:\n      auth_url: https://keystone.example:5000\n" },
        });
        return management;
    }

    private static async Task<string> RegisterAndEnableAsync(HttpClient admin, KubeSimCluster management)
    {
        var registered = await ClusterApp.RegisterAsync(admin, management, provider: "OpenStack");
        var id = (string)registered["cluster"]!["id"]!;
        var enabled = await admin.PostAsync($"/api/v1/clusters/{id}/cluster-api", null);
        var body = await enabled.BodyAsync();
        Assert.True(enabled.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Contains(body["infrastructures"]!.AsArray(), i => (string?)i!["kind"] == "OpenStack");
        return id;
    }

    private static object OpenStack(string name, string version, (string Name, int Replicas)[] pools) => new
    {
        name, @namespace = "default", infrastructure = "OpenStack", kubernetesVersion = version,
        controlPlane = new { replicas = 1, machineType = "m1.large" },
        nodePools = pools.Select(p => new { name = p.Name, machineType = "m1.medium", replicas = p.Replicas }).ToArray(),
        settings = new Dictionary<string, string>
        {
            ["cloudName"] = "openstack", ["identitySecret"] = "openstack-cloud-config", ["image"] = "ubuntu-2404-kube-" + version,
        },
        reason = "integration test",
    };

    private static async Task<string> ProvisionAsync(HttpClient admin, string managementId, object blueprint)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(blueprint))!.AsObject();
        body["managementClusterId"] = managementId;
        var response = await admin.PostAsJsonAsync("/api/v1/provisioned-clusters", body);
        var answer = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {answer.ToJsonString()}");
        return (string)answer["id"]!;
    }

    private static Task<JsonNode> DetailsAsync(HttpClient admin, string id) =>
        admin.GetAsync($"/api/v1/provisioned-clusters/{id}").ContinueWith(t => t.Result.BodyAsync()).Unwrap();

    private static Task<JsonNode> WaitForViewAsync(HttpClient admin, string id, Func<JsonNode, bool> until, string because, int seconds = 90) =>
        Eventually.GetAsync(async () => (await DetailsAsync(admin, id))["view"]!, until, TimeSpan.FromSeconds(seconds), because);

    private static async Task<List<JsonNode>> EventsAsync(HttpClient admin, string id, string? type = null)
    {
        var page = await (await admin.GetAsync($"/api/v1/audit/events?streamId={id}&pageSize=200{(type is null ? "" : "&type=" + type)}")).BodyAsync();
        return [.. Items(page).OrderBy(e => (long)e!["sequence"]!).Select(e => e!)];
    }

    private static async Task<List<string>> EventTypesAsync(HttpClient admin, string id) =>
        [.. (await EventsAsync(admin, id)).Select(e => (string)e["type"]!)];

    private static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because) =>
        Eventually.TrueAsync(() => Task.FromResult(condition()), timeout, because);

    private static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) => Eventually.TrueAsync(condition, timeout, because);

    private static IEnumerable<JsonNode?> Items(JsonNode page) => page is JsonArray array ? array : page["items"]!.AsArray();
}
