using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using Cocktail.KubeSim.Discovery;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>A management cluster with the Cluster API and provider CRDs installed from their YAML, as clusterctl init would.</summary>
public sealed class ClusterApiManagement : IAsyncLifetime
{
    public KubeSimCluster Management { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (SimulatorOnly.AgainstRealCluster) return;
        Management = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "mgmt", Nodes = 1 });
        Client = ClusterUnderTest.ClientForYaml(Management.AdminKubeconfigYaml);
        foreach (var project in new[] { "cluster-api", "capi-openstack", "capi-aws", "capi-vsphere", "capi-metal3", "capi-azure", "capi-gcp" })
            foreach (var yaml in SharedCrds.ReadAll(project))
                await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(yaml));
        foreach (var crd in (await Client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items)
            await Eventually.Get(() => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name),
                c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true);
    }

    public async Task DisposeAsync()
    {
        if (Management is not null) await Management.DisposeAsync();
    }
}

/// <summary>
/// KubeSim's simulated Cluster API controllers (simulator-only): a Cluster provisioned from CAPI v1beta2 objects walks
/// through the real phases and conditions, gets its kubeconfig secret, and runs as a new simulated cluster that answers
/// with its version and nodes; upgrades, scaling, failures and deletion behave as the real controllers do.
/// </summary>
/// <summary>
/// Alone, after the parallel classes: each test walks a cluster through timed controller steps, and sharing two cores
/// with the rest of the suite turned their waits into timeouts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterApiControllersCollection
{
    public const string Name = "Cluster API controllers";
}

[Collection(ClusterApiControllersCollection.Name)]
public sealed class ClusterApiControllersContract(ClusterApiManagement fixture) : IClassFixture<ClusterApiManagement>
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    ClusterObjects Objects => fixture.Management.Objects;

    /// <summary>JSON with %name% placeholders filled from <paramref name="values"/>' properties.</summary>
    static JsonObject Obj(string json, object? values = null)
    {
        foreach (var p in values?.GetType().GetProperties() ?? []) json = json.Replace($"%{p.Name}%", p.GetValue(values)?.ToString());
        return JsonNode.Parse(json)!.AsObject();
    }

    string NewNamespace(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        Objects.EnsureNamespace(ns);
        return ns;
    }

    /// <summary>An OpenStack cluster with a KubeadmControlPlane and one MachineDeployment, as Cocktail writes it (storage versions).</summary>
    void CreateKubeadmCluster(string ns, string name, string version, int cpReplicas, int workers, string? provisionFailure = null)
    {
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","metadata":{"name":"%name%-md","namespace":"%ns%"},"spec":{"template":{"spec":{"flavor":{"filter":{"name":"m1.medium"}},"image":{"filter":{"name":"ubuntu-2404-kube"}}}}}}""", new { name, ns }));
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","metadata":{"name":"%name%-cp","namespace":"%ns%"},"spec":{"template":{"spec":{"flavor":{"filter":{"name":"m1.large"}},"image":{"filter":{"name":"ubuntu-2404-kube"}}}}}}""", new { name, ns }));
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackCluster","metadata":{"name":"%name%","namespace":"%ns%"},"spec":{"identityRef":{"name":"cloud-config","cloudName":"openstack"}}}""", new { name, ns }));
        Objects.Create(Obj("""{"apiVersion":"bootstrap.cluster.x-k8s.io/v1beta2","kind":"KubeadmConfigTemplate","metadata":{"name":"%name%-md","namespace":"%ns%"},"spec":{"template":{"spec":{"joinConfiguration":{"nodeRegistration":{"name":"{{ local_hostname }}"}}}}}}""", new { name, ns }));
        Objects.Create(Obj("""{"apiVersion":"controlplane.cluster.x-k8s.io/v1beta2","kind":"KubeadmControlPlane","metadata":{"name":"%name%-cp","namespace":"%ns%"},"spec":{"replicas":%cpReplicas%,"version":"%version%","machineTemplate":{"spec":{"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"OpenStackMachineTemplate","name":"%name%-cp"}}},"kubeadmConfigSpec":{"initConfiguration":{"nodeRegistration":{"name":"{{ local_hostname }}"}},"joinConfiguration":{"nodeRegistration":{"name":"{{ local_hostname }}"}}}}}""", new { name, ns, cpReplicas, version }));
        Objects.Create(Obj("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"MachineDeployment","metadata":{"name":"%name%-md-0","namespace":"%ns%"},"spec":{"clusterName":"%name%","replicas":%workers%,"selector":{"matchLabels":{}},"template":{"spec":{"clusterName":"%name%","version":"%version%","bootstrap":{"configRef":{"apiGroup":"bootstrap.cluster.x-k8s.io","kind":"KubeadmConfigTemplate","name":"%name%-md"}},"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"OpenStackMachineTemplate","name":"%name%-md"}}}}}""", new { name, ns, workers, version }));
        var annotations = provisionFailure is null ? "{}" : new JsonObject { ["kubesim.cocktail.io/provision-failure"] = provisionFailure }.ToJsonString();
        Objects.Create(Obj("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"%name%","namespace":"%ns%","annotations":%annotations%},"spec":{"clusterNetwork":{"pods":{"cidrBlocks":["192.168.0.0/16"]}},"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"OpenStackCluster","name":"%name%"},"controlPlaneRef":{"apiGroup":"controlplane.cluster.x-k8s.io","kind":"KubeadmControlPlane","name":"%name%-cp"}}}""", new { name, ns, annotations }));
    }

    static JsonObject? Condition(JsonObject obj, string type) =>
        obj["status"]?["conditions"]?.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => (string?)c["type"] == type);

    static bool IsTrue(JsonObject obj, string type) => (string?)Condition(obj, type)?["status"] == "True";

    async Task<JsonObject> WaitCluster(string ns, string name, Func<JsonObject, bool> condition)
    {
        try { return await Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "Cluster", name, ns, condition, Timeout); }
        catch (TimeoutException e)
        {
            var machines = string.Join("\n", Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns).Select(m => $"{m["metadata"]!["name"]} {m["status"]?["phase"]}"));
            throw new TimeoutException($"{e.Message}: {Objects.Get("cluster.x-k8s.io/v1beta2", "Cluster", name, ns)?["status"]}\n{machines}");
        }
    }

    async Task<IKubernetes> WorkloadClient(string ns, string name)
    {
        var secret = await fixture.Client.CoreV1.ReadNamespacedSecretAsync($"{name}-kubeconfig", ns);
        return ClusterUnderTest.ClientForYaml(Encoding.UTF8.GetString(secret.Data["value"]));
    }

    [SkippableFact]
    public async Task a_kubeadm_cluster_is_provisioned_with_phases_conditions_machines_and_a_kubeconfig_secret_for_a_running_workload_cluster()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-kcp");
        CreateKubeadmCluster(ns, "alpha", "v1.34.2", cpReplicas: 1, workers: 2);

        var pending = await WaitCluster(ns, "alpha", c => c["status"]?["phase"] is not null);
        Assert.Contains("cluster.cluster.x-k8s.io", pending["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        await WaitCluster(ns, "alpha", c => (string?)c["status"]?["phase"] == "Provisioning");
        var cluster = await WaitCluster(ns, "alpha", c => IsTrue(c, "Available"));

        Assert.Equal("Provisioned", (string?)cluster["status"]!["phase"]);
        Assert.True((bool)cluster["status"]!["initialization"]!["infrastructureProvisioned"]!);
        Assert.True((bool)cluster["status"]!["initialization"]!["controlPlaneInitialized"]!);
        foreach (var (type, reason) in new[] { ("InfrastructureReady", "Ready"), ("ControlPlaneInitialized", "Initialized"), ("ControlPlaneAvailable", "Available"),
                     ("WorkersAvailable", "Available"), ("RemoteConnectionProbe", "ProbeSucceeded"), ("Available", "Available") })
        {
            var c = Condition(cluster, type)!;
            Assert.Equal("True", (string?)c["status"]);
            Assert.Equal(reason, (string?)c["reason"]);
            Assert.NotNull(c["observedGeneration"]);
        }
        Assert.Equal(1, (int)cluster["status"]!["controlPlane"]!["readyReplicas"]!);
        Assert.Equal(2, (int)cluster["status"]!["workers"]!["availableReplicas"]!);

        var openstack = Objects.Get("infrastructure.cluster.x-k8s.io/v1beta2", "OpenStackCluster", "alpha", ns)!;
        Assert.True((bool)openstack["status"]!["initialization"]!["provisioned"]!);
        Assert.Equal("Cluster", (string?)openstack["metadata"]!["ownerReferences"]![0]!["kind"]);

        var kcp = Objects.Get("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "alpha-cp", ns)!;
        Assert.Equal(1, (int)kcp["status"]!["availableReplicas"]!);
        Assert.Equal("v1.34.2", (string?)kcp["status"]!["version"]);
        Assert.True((bool)kcp["status"]!["initialization"]!["controlPlaneInitialized"]!);
        Assert.True(IsTrue(kcp, "Available"));

        var machines = Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns, "cluster.x-k8s.io/cluster-name=alpha");
        Assert.Equal(3, machines.Count);
        Assert.All(machines, m =>
        {
            Assert.Equal("Running", (string?)m["status"]!["phase"]);
            Assert.Equal("v1.34.2", (string?)m["spec"]!["version"]);
            Assert.Equal((string?)m["metadata"]!["name"], (string?)m["status"]!["nodeRef"]!["name"]);
            Assert.True(IsTrue(m, "Ready") && IsTrue(m, "UpToDate"));
        });
        var controlPlaneMachine = Assert.Single(machines, m => m["metadata"]!["labels"]!["cluster.x-k8s.io/control-plane"] is not null);
        Assert.Equal("KubeadmControlPlane", (string?)controlPlaneMachine["metadata"]!["ownerReferences"]![0]!["kind"]);
        var worker = machines.First(m => m["metadata"]!["labels"]!["cluster.x-k8s.io/deployment-name"] is not null);
        Assert.Equal("alpha-md-0", (string?)worker["metadata"]!["labels"]!["cluster.x-k8s.io/deployment-name"]);
        Assert.StartsWith("alpha-md-0-", (string?)worker["metadata"]!["labels"]!["cluster.x-k8s.io/set-name"]);
        Assert.Equal("MachineSet", (string?)worker["metadata"]!["ownerReferences"]![0]!["kind"]);
        var events = await fixture.Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.Reason == "SuccessfulCreate" && e.InvolvedObject.Kind == "MachineSet");

        var secret = await fixture.Client.CoreV1.ReadNamespacedSecretAsync("alpha-kubeconfig", ns);
        Assert.Equal("cluster.x-k8s.io/secret", secret.Type);
        Assert.Equal("alpha", secret.Metadata.Labels["cluster.x-k8s.io/cluster-name"]);
        Assert.Equal("KubeadmControlPlane", secret.Metadata.OwnerReferences.Single().Kind);
        var kubeconfig = Encoding.UTF8.GetString(secret.Data["value"]);
        Assert.Contains("current-context: alpha-admin@alpha", kubeconfig);
        Assert.Contains("- name: alpha-admin", kubeconfig);
        Assert.Contains("client-certificate-data:", kubeconfig);

        var workload = await WorkloadClient(ns, "alpha");
        var version = await workload.Version.GetCodeAsync();
        Assert.Equal("v1.34.2", version.GitVersion);
        var nodes = await workload.CoreV1.ListNodeAsync();
        Assert.Equal(machines.Select(m => (string?)m["metadata"]!["name"]).Order(), nodes.Items.Select(n => n.Metadata.Name).Order());
        Assert.All(nodes.Items, n => Assert.Equal("v1.34.2", n.Status.NodeInfo.KubeletVersion));
        Assert.True(fixture.Management.WorkloadClusters.ContainsKey($"{ns}/alpha"));
    }

    [SkippableFact]
    public async Task an_eks_cluster_with_a_machine_pool_is_provisioned_and_scales_its_nodes()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-eks");
        Objects.Create(Obj("""{"apiVersion":"controlplane.cluster.x-k8s.io/v1beta2","kind":"AWSManagedControlPlane","metadata":{"name":"eks-cp","namespace":"%ns%"},"spec":{"region":"eu-west-1","version":"v1.33.0","eksClusterName":"eks"}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"AWSManagedCluster","metadata":{"name":"eks","namespace":"%ns%"},"spec":{}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"AWSManagedMachinePool","metadata":{"name":"eks-pool","namespace":"%ns%"},"spec":{"instanceType":"t3.large","scaling":{"minSize":1,"maxSize":5}}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"MachinePool","metadata":{"name":"eks-pool","namespace":"%ns%","annotations":{"cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size":"1","cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size":"5"}},"spec":{"clusterName":"eks","replicas":2,"template":{"spec":{"clusterName":"eks","version":"v1.33.0","bootstrap":{"dataSecretName":""},"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"AWSManagedMachinePool","name":"eks-pool"}}}}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"eks","namespace":"%ns%"},"spec":{"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"AWSManagedCluster","name":"eks"},"controlPlaneRef":{"apiGroup":"controlplane.cluster.x-k8s.io","kind":"AWSManagedControlPlane","name":"eks-cp"}}}""", new { ns }));

        var cluster = await WaitCluster(ns, "eks", c => IsTrue(c, "Available"));
        Assert.Equal("Provisioned", (string?)cluster["status"]!["phase"]);
        var cp = Objects.Get("controlplane.cluster.x-k8s.io/v1beta2", "AWSManagedControlPlane", "eks-cp", ns)!;
        Assert.True((bool)cp["status"]!["ready"]!);
        Assert.True((bool)cp["status"]!["initialized"]!);
        var pool = await Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "MachinePool", "eks-pool", ns, p => (int?)p["status"]?["readyReplicas"] == 2, Timeout);
        Assert.Equal("Running", (string?)pool["status"]!["phase"]);
        Assert.Equal(2, pool["spec"]!["providerIDList"]!.AsArray().Count);
        var workload = await WorkloadClient(ns, "eks");
        Assert.Equal("v1.33.0", (await workload.Version.GetCodeAsync()).GitVersion);
        Assert.Equal(2, (await workload.CoreV1.ListNodeAsync()).Items.Count);

        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachinePool", "eks-pool", ns, Obj("""{"spec":{"replicas":3}}"""));
        await Eventually.Until(async () => (await workload.CoreV1.ListNodeAsync()).Items.Count == 3, Timeout);
        await Objects.WaitForAsync("infrastructure.cluster.x-k8s.io/v1beta2", "AWSManagedMachinePool", "eks-pool", ns, p => (int?)p["status"]?["replicas"] == 3, Timeout);
        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachinePool", "eks-pool", ns, Obj("""{"spec":{"replicas":1}}"""));
        await Eventually.Until(async () => (await workload.CoreV1.ListNodeAsync()).Items.Count == 1, Timeout);
        await Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "MachinePool", "eks-pool", ns, p => (int?)p["status"]?["replicas"] == 1, Timeout);
    }

    [SkippableFact]
    public async Task the_provision_failure_annotation_fails_the_infrastructure_like_the_provider()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-fail");
        CreateKubeadmCluster(ns, "broken", "v1.34.2", 1, 1, provisionFailure: "Quota exceeded for instances: Requested 3, but already used 10 of 10");
        var cluster = await WaitCluster(ns, "broken", c => (string?)Condition(c, "InfrastructureReady")?["reason"] == "OpenStackError" && Condition(c, "Available") is not null
            && (string?)c["status"]?["phase"] == "Provisioning");
        var infra = Condition(cluster, "InfrastructureReady")!;
        Assert.Equal("False", (string?)infra["status"]);
        Assert.Contains("Quota exceeded", (string?)infra["message"]);
        Assert.Equal("False", (string?)Condition(cluster, "Available")!["status"]);
        Assert.Equal("Provisioning", (string?)cluster["status"]!["phase"]);
        var openstack = Objects.Get("infrastructure.cluster.x-k8s.io/v1beta2", "OpenStackCluster", "broken", ns)!;
        Assert.Equal("OpenStackError", (string?)Condition(openstack, "Ready")!["reason"]);
        await Eventually.Until(async () => (await fixture.Client.CoreV1.ListNamespacedEventAsync(ns)).Items
            .Any(e => e.Type == "Warning" && e.Reason == "OpenStackError" && e.InvolvedObject.Kind == "OpenStackCluster"), Timeout, "a Warning event");
        // The control plane waits for the infrastructure; worker machines wait in Pending for it.
        Assert.All(Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns), m =>
        {
            Assert.Null(m["metadata"]!["labels"]!["cluster.x-k8s.io/control-plane"]);
            Assert.Equal("Pending", (string?)m["status"]?["phase"] ?? "Pending");
        });
    }

    [SkippableFact]
    public async Task a_control_plane_upgrade_then_a_machine_deployment_upgrade_roll_machines_and_the_workload_nodes()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-upg");
        CreateKubeadmCluster(ns, "upg", "v1.33.4", cpReplicas: 1, workers: 2);
        await WaitCluster(ns, "upg", c => IsTrue(c, "Available"));
        var workload = await WorkloadClient(ns, "upg");

        Objects.MergePatch("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "upg-cp", ns, Obj("""{"spec":{"version":"v1.34.2"}}"""));
        await Objects.WaitForAsync("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "upg-cp", ns,
            k => IsTrue(k, "RollingOut") && (string?)Condition(k, "RollingOut")!["reason"] == "RollingOut", Timeout);
        await Objects.WaitForAsync("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "upg-cp", ns,
            k => (string?)k["status"]?["version"] == "v1.34.2" && !IsTrue(k, "RollingOut") && (int?)k["status"]?["upToDateReplicas"] == 1 && (int?)k["status"]?["replicas"] == 1, Timeout);
        await Eventually.Until(async () => (await workload.Version.GetCodeAsync()).GitVersion == "v1.34.2", Timeout);

        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachineDeployment", "upg-md-0", ns, Obj("""{"spec":{"template":{"spec":{"version":"v1.34.2"}}}}"""));
        await Eventually.Until(async () =>
        {
            var nodes = (await workload.CoreV1.ListNodeAsync()).Items;
            return nodes.Count == 3 && nodes.All(n => n.Status.NodeInfo.KubeletVersion == "v1.34.2");
        }, Timeout, "every node runs v1.34.2");
        // The counts and the conditions are written by separate passes (the MachineSet's, then the MachineDeployment's):
        // the rollout is over when all of them agree.
        await Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "MachineDeployment", "upg-md-0", ns,
            m => (int?)m["status"]?["upToDateReplicas"] == 2 && (int?)m["status"]?["replicas"] == 2 && !IsTrue(m, "RollingOut") && IsTrue(m, "Available"), Timeout);
        // The old MachineSet, scaled to zero, is deleted by the controller's next pass, not in the same write.
        await Eventually.Until(() => Task.FromResult(Objects.List("cluster.x-k8s.io/v1beta2", "MachineSet", ns).Count == 1), Timeout, "the old MachineSet deleted");
    }

    [SkippableFact]
    public async Task an_upgrade_failure_annotation_stalls_the_rollout_with_the_new_machine_failing()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-stall");
        CreateKubeadmCluster(ns, "stall", "v1.33.4", cpReplicas: 1, workers: 1);
        await WaitCluster(ns, "stall", c => IsTrue(c, "Available"));
        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachineDeployment", "stall-md-0", ns,
            Obj("""{"metadata":{"annotations":{"kubesim.cocktail.io/upgrade-failure":"image ubuntu-2404-kube-v1.34.2 not found"}},"spec":{"template":{"spec":{"version":"v1.34.2"}}}}"""));
        var md = await Objects.WaitForAsync("cluster.x-k8s.io/v1beta2", "MachineDeployment", "stall-md-0", ns,
            m => ((string?)Condition(m, "RollingOut")?["message"])?.Contains("image ubuntu-2404-kube-v1.34.2 not found") == true, Timeout);
        Assert.True(IsTrue(md, "RollingOut"));
        var failing = Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns).Single(m => (string?)m["spec"]!["version"] == "v1.34.2");
        Assert.Equal("InstanceCreateFailed", (string?)Condition(failing, "InfrastructureReady")!["reason"]);
        Assert.Equal("Provisioning", (string?)failing["status"]!["phase"]);
        // The old machine stays (maxUnavailable 0): the workers stay available.
        Assert.Contains(Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns), m => (string?)m["spec"]!["version"] == "v1.33.4" && (string?)m["status"]?["phase"] == "Running");
        Assert.True(IsTrue(md, "Available"));
    }

    [SkippableFact]
    public async Task a_machine_deployment_scales_up_and_down_and_the_workload_nodes_follow()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-scale");
        CreateKubeadmCluster(ns, "scale", "v1.34.2", cpReplicas: 1, workers: 1);
        await WaitCluster(ns, "scale", c => IsTrue(c, "Available"));
        var workload = await WorkloadClient(ns, "scale");
        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachineDeployment", "scale-md-0", ns, Obj("""{"spec":{"replicas":3}}"""));
        await Eventually.Until(async () => (await workload.CoreV1.ListNodeAsync()).Items.Count == 4, Timeout);
        await WaitCluster(ns, "scale", c => (int?)c["status"]?["workers"]?["availableReplicas"] == 3);
        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "MachineDeployment", "scale-md-0", ns, Obj("""{"spec":{"replicas":1}}"""));
        await Eventually.Until(async () => (await workload.CoreV1.ListNodeAsync()).Items.Count == 2, Timeout);
        await Eventually.Until(() => Task.FromResult(Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns).Count == 2), Timeout);
    }

    [SkippableFact]
    public async Task a_topology_cluster_gets_its_objects_from_the_cluster_class_and_a_missing_class_fails_the_topology()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-topo");
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","metadata":{"name":"workers","namespace":"%ns%"},"spec":{"template":{"spec":{"flavor":{"filter":{"name":"m1.medium"}},"image":{"filter":{"name":"ubuntu-2404-kube"}}}}}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","metadata":{"name":"control-plane","namespace":"%ns%"},"spec":{"template":{"spec":{"flavor":{"filter":{"name":"m1.large"}},"image":{"filter":{"name":"ubuntu-2404-kube"}}}}}}""", new { ns }));
        // CAPO ships OpenStackClusterTemplate, but the shared CRD set does not carry it: install a CRD of that kind here
        // (its spec kept as given) so the class's infrastructure template exists, as on a real management cluster.
        if (Objects.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "openstackclustertemplates.infrastructure.cluster.x-k8s.io") is null)
            Objects.Create(Obj("""
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"openstackclustertemplates.infrastructure.cluster.x-k8s.io"},
                 "spec":{"group":"infrastructure.cluster.x-k8s.io","scope":"Namespaced",
                         "names":{"kind":"OpenStackClusterTemplate","listKind":"OpenStackClusterTemplateList","plural":"openstackclustertemplates","singular":"openstackclustertemplate"},
                         "versions":[{"name":"v1beta2","served":true,"storage":true,
                                      "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
                """));
        await Eventually.Until(() => Task.FromResult(Objects.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "openstackclustertemplates.infrastructure.cluster.x-k8s.io")
            ?["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Established") == true), Timeout);
        Objects.Create(Obj("""{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackClusterTemplate","metadata":{"name":"cluster","namespace":"%ns%"},"spec":{"template":{"spec":{"identityRef":{"name":"cloud-config","cloudName":"openstack"}}}}}""", new { ns }));
        Objects.Create(Obj("""{"apiVersion":"bootstrap.cluster.x-k8s.io/v1beta2","kind":"KubeadmConfigTemplate","metadata":{"name":"workers","namespace":"%ns%"},"spec":{"template":{"spec":{"joinConfiguration":{"nodeRegistration":{"name":"{{ local_hostname }}"}}}}}}""", new { ns }));
        Objects.Create(Obj("""
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"orphan","namespace":"%ns%"},
             "spec":{"topology":{"classRef":{"name":"missing"},"version":"v1.34.2","controlPlane":{"replicas":1}}}}
            """, new { ns }));
        var orphan = await WaitCluster(ns, "orphan", c => Condition(c, "TopologyReconciled") is not null);
        Assert.Equal("False", (string?)Condition(orphan, "TopologyReconciled")!["status"]);
        Assert.Equal("ReconcileFailed", (string?)Condition(orphan, "TopologyReconciled")!["reason"]);
        Assert.Contains("missing", (string?)Condition(orphan, "TopologyReconciled")!["message"]);

        Objects.Create(Obj("""
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"ClusterClass","metadata":{"name":"openstack-kubeadm","namespace":"%ns%"},
             "spec":{"infrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackClusterTemplate","name":"cluster"}},
                     "controlPlane":{"templateRef":{"apiVersion":"controlplane.cluster.x-k8s.io/v1beta2","kind":"KubeadmControlPlaneTemplate","name":"control-plane"},
                                     "machineInfrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","name":"control-plane"}}},
                     "workers":{"machineDeployments":[{"class":"default-worker",
                        "bootstrap":{"templateRef":{"apiVersion":"bootstrap.cluster.x-k8s.io/v1beta2","kind":"KubeadmConfigTemplate","name":"workers"}},
                        "infrastructure":{"templateRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OpenStackMachineTemplate","name":"workers"}}}]}}}
            """, new { ns }));
        Objects.Create(Obj("""
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"topo","namespace":"%ns%"},
             "spec":{"topology":{"classRef":{"name":"openstack-kubeadm"},"version":"v1.33.4","controlPlane":{"replicas":1},
                     "workers":{"machineDeployments":[{"class":"default-worker","name":"md-0","replicas":1}]}}}}
            """, new { ns }));
        var cluster = await WaitCluster(ns, "topo", c => IsTrue(c, "Available") && IsTrue(c, "TopologyReconciled"));
        Assert.Equal("ReconcileSucceeded", (string?)Condition(cluster, "TopologyReconciled")!["reason"]);
        Assert.Equal("KubeadmControlPlane", (string?)cluster["spec"]!["controlPlaneRef"]!["kind"]);
        Assert.Equal("OpenStackCluster", (string?)cluster["spec"]!["infrastructureRef"]!["kind"]);
        var md = Assert.Single(Objects.List("cluster.x-k8s.io/v1beta2", "MachineDeployment", ns));
        Assert.Equal("md-0", (string?)md["metadata"]!["labels"]!["topology.cluster.x-k8s.io/deployment-name"]);
        Assert.NotEqual("workers", (string?)md["spec"]!["template"]!["spec"]!["infrastructureRef"]!["name"]); // a copy of the template

        Objects.MergePatch("cluster.x-k8s.io/v1beta2", "Cluster", "topo", ns, Obj("""{"spec":{"topology":{"version":"v1.34.2"}}}"""));
        await WaitCluster(ns, "topo", c => (string?)Condition(c, "TopologyReconciled")?["reason"] is "ControlPlaneUpgradePending" or "MachineDeploymentsUpgradePending");
        var workload = await WorkloadClient(ns, "topo");
        await Eventually.Until(async () =>
        {
            var nodes = (await workload.CoreV1.ListNodeAsync()).Items;
            return nodes.Count == 2 && nodes.All(n => n.Status.NodeInfo.KubeletVersion == "v1.34.2");
        }, Timeout, "control plane then workers upgraded");
        Assert.Equal("v1.34.2", (await workload.Version.GetCodeAsync()).GitVersion);
        await WaitCluster(ns, "topo", c => IsTrue(c, "TopologyReconciled"));
    }

    [SkippableFact]
    public async Task deleting_a_cluster_removes_its_machines_stops_the_workload_cluster_and_removes_the_kubeconfig_secret()
    {
        SimulatorOnly.Require();
        var ns = NewNamespace("capi-del");
        CreateKubeadmCluster(ns, "gone", "v1.34.2", cpReplicas: 1, workers: 1);
        await WaitCluster(ns, "gone", c => IsTrue(c, "Available"));
        var workload = await WorkloadClient(ns, "gone");
        Assert.NotEmpty((await workload.CoreV1.ListNodeAsync()).Items);

        Objects.Delete("cluster.x-k8s.io/v1beta2", "Cluster", "gone", ns);
        await WaitCluster(ns, "gone", c => (string?)c["status"]?["phase"] == "Deleting");
        await Eventually.Until(() => Task.FromResult(Objects.Get("cluster.x-k8s.io/v1beta2", "Cluster", "gone", ns) is null), Timeout, "the Cluster goes away");
        // The control plane waits for the infrastructure; worker machines wait in Pending for it.
        Assert.All(Objects.List("cluster.x-k8s.io/v1beta2", "Machine", ns), m =>
        {
            Assert.Null(m["metadata"]!["labels"]!["cluster.x-k8s.io/control-plane"]);
            Assert.Equal("Pending", (string?)m["status"]?["phase"] ?? "Pending");
        });
        Assert.Null(Objects.Get("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "gone-cp", ns));
        Assert.Null(Objects.Get("infrastructure.cluster.x-k8s.io/v1beta2", "OpenStackCluster", "gone", ns));
        Assert.Null(Objects.Get("v1", "Secret", "gone-kubeconfig", ns));
        Assert.False(fixture.Management.WorkloadClusters.ContainsKey($"{ns}/gone"));
        await Eventually.Until(async () =>
        {
            try { await workload.CoreV1.ListNodeAsync(); return false; }
            catch (HttpRequestException) { return true; }
        }, Timeout, "the workload cluster stops answering");
    }
}
