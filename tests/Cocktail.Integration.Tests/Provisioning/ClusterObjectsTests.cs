using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Provisioning.Building;
using Cocktail.Domain.Provisioning;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Infra = Cocktail.Domain.Provisioning.Infrastructure;

namespace Cocktail.Integration.Tests.Provisioning;

/// <summary>
/// The objects Cocktail builds for each infrastructure, checked against the real CRDs of Cluster API and its
/// providers (shared/kubernetes/crds): what a management cluster would accept, with the references, versions,
/// replicas, autoscaler bounds and networks the blueprint asked for.
/// </summary>
public sealed class ClusterObjectsTests
{
    private static readonly Dictionary<string, string> PoolLabels = new() { ["tier"] = "batch" };

    /// <summary>3 control plane machines, an autoscaled pool with a label and a taint, a GPU pool.</summary>
    private static ClusterBlueprint Blueprint(Infra infrastructure, IReadOnlyDictionary<string, string> settings, string cpType, string poolType, string gpuType, string? clusterClass = null) =>
        new("prod", "team-a", infrastructure, "v1.33.2",
            new ControlPlaneSpec(3, cpType),
            [
                new NodePoolSpec("workers", poolType, 3, MinSize: 2, MaxSize: 10, Labels: PoolLabels, Taints: [new NodeTaint("dedicated", "batch", "NoSchedule")]),
                new NodePoolSpec("gpu", gpuType, 1, GpusPerNode: 2),
            ],
            new NetworkSpec(["10.244.0.0/16"], ["10.96.0.0/12"]),
            settings, clusterClass);

    public static ClusterBlueprint OpenStack() => Blueprint(Infra.OpenStack, new Dictionary<string, string>
    {
        ["cloudName"] = "openstack", ["identitySecret"] = "prod-cloud-config", ["image"] = "ubuntu-2404-kube-v1.33.2",
        ["externalNetwork"] = "b1a5e6f0-1111-4c2e-9d1e-000000000001", ["sshKeyName"] = "ops",
    }, "m1.large", "m1.xlarge", "g1.gpu");

    public static ClusterBlueprint VSphere() => Blueprint(Infra.VSphere, new Dictionary<string, string>
    {
        ["server"] = "vcenter.example.com", ["identitySecret"] = "vcenter-credentials", ["datacenter"] = "dc1", ["datastore"] = "ds1",
        ["network"] = "VM Network", ["template"] = "ubuntu-2404-kube-v1.33.2", ["controlPlaneEndpoint"] = "10.0.0.50",
        ["resourcePool"] = "pool1", ["folder"] = "k8s", ["thumbprint"] = "AB:CD:EF",
    }, "4x16", "8x32x120", "16x64");

    public static ClusterBlueprint Metal3() => Blueprint(Infra.Metal3, new Dictionary<string, string>
    {
        ["controlPlaneEndpoint"] = "192.0.2.10", ["imageUrl"] = "http://images.example.com/ubuntu.qcow2",
        ["imageChecksum"] = "http://images.example.com/ubuntu.qcow2.sha256sum", ["imageFormat"] = "qcow2",
    }, "role=control-plane", "role=worker", "gpu=nvidia");

    public static ClusterBlueprint Eks() => Blueprint(Infra.Eks, new Dictionary<string, string>
    {
        ["region"] = "eu-central-1", ["identityName"] = "prod-role", ["sshKeyName"] = "ops",
    }, "", "m6i.xlarge", "g5.2xlarge");

    public static ClusterBlueprint Aks() => Blueprint(Infra.Aks, new Dictionary<string, string>
    {
        ["location"] = "westeurope", ["resourceGroup"] = "rg-prod", ["credentialSecret"] = "aso-credentials",
    }, "", "Standard_D4s_v5", "Standard_NC6s_v3") with { ControlPlane = new ControlPlaneSpec(1) };

    public static ClusterBlueprint Gke() => Blueprint(Infra.Gke, new Dictionary<string, string>
    {
        ["project"] = "my-project", ["region"] = "europe-west1", ["credentialSecret"] = "gcp-sa",
    }, "", "e2-standard-4", "a2-highgpu-1g") with { ControlPlane = new ControlPlaneSpec(1) };

    public static ClusterBlueprint Topology() =>
        Blueprint(Infra.OpenStack, new Dictionary<string, string>(), "", "default-worker", "gpu-worker", clusterClass: "openstack-default");

    public static TheoryData<string> Infrastructures => ["OpenStack", "VSphere", "Metal3", "Eks", "Aks", "Gke", "Topology"];

    private static ClusterBlueprint Named(string name) => name switch
    {
        "OpenStack" => OpenStack(), "VSphere" => VSphere(), "Metal3" => Metal3(), "Eks" => Eks(), "Aks" => Aks(), "Gke" => Gke(),
        _ => Topology(),
    };

    [Theory]
    [MemberData(nameof(Infrastructures))]
    public void every_object_is_what_the_crd_schema_accepts(string infrastructure)
    {
        var blueprint = Named(infrastructure);
        Assert.Empty(blueprint.Check());
        Assert.Empty(ClusterObjects.Check(blueprint));

        var objects = ClusterObjects.Build(blueprint);

        Assert.Empty(CrdSchemaValidator.ValidateAll(objects, Crds.Schemas));
        foreach (var o in objects)
        {
            Assert.Equal("team-a", Str(o, "metadata.namespace"));
            Assert.Equal("prod", Str(o, "metadata.labels.cluster\\.x-k8s\\.io/cluster-name"));
            Assert.Equal(Crds.StorageVersion(Str(o, "kind")!), Str(o, "apiVersion"));
        }
        if (blueprint.ClusterClass is null) AssertReferencesResolve(objects);
        Assert.Equal("Cluster", Str(objects[^1], "kind"));
    }

    [Theory]
    [MemberData(nameof(Infrastructures))]
    public void the_same_blueprint_gives_the_same_json_and_yaml(string infrastructure)
    {
        var first = ClusterObjects.Build(Named(infrastructure));
        var second = ClusterObjects.Build(Named(infrastructure));

        Assert.Equal(first.Select(o => o.ToJsonString()), second.Select(o => o.ToJsonString()));
        Assert.Equal(ClusterObjects.ToYaml(first), ClusterObjects.ToYaml(second));
    }

    [Theory]
    [MemberData(nameof(Infrastructures))]
    public void the_yaml_reads_back_as_the_same_objects(string infrastructure)
    {
        var objects = ClusterObjects.Build(Named(infrastructure));

        var documents = ClusterObjects.ToYaml(objects).Split("---\n");

        Assert.Equal(objects.Count, documents.Length);
        for (var i = 0; i < objects.Count; i++)
            Assert.True(JsonNode.DeepEquals(objects[i], YamlToJson.Parse(documents[i])), documents[i]);
    }

    [Fact]
    public void a_kubeadm_cluster_has_its_control_plane_pools_networks_and_autoscaler_bounds()
    {
        var objects = ClusterObjects.Build(OpenStack());

        var cluster = One(objects, "Cluster", "prod");
        Assert.Equal("10.244.0.0/16", Str(cluster, "spec.clusterNetwork.pods.cidrBlocks[0]"));
        Assert.Equal("10.96.0.0/12", Str(cluster, "spec.clusterNetwork.services.cidrBlocks[0]"));
        Assert.Equal("KubeadmControlPlane", Str(cluster, "spec.controlPlaneRef.kind"));
        Assert.Equal("prod-control-plane", Str(cluster, "spec.controlPlaneRef.name"));
        Assert.Equal("OpenStackCluster", Str(cluster, "spec.infrastructureRef.kind"));

        var kcp = One(objects, "KubeadmControlPlane", "prod-control-plane");
        Assert.Equal(3, Int(kcp, "spec.replicas"));
        Assert.Equal("v1.33.2", Str(kcp, "spec.version"));
        Assert.Equal("prod-control-plane", Str(kcp, "spec.machineTemplate.spec.infrastructureRef.name"));

        var openStack = One(objects, "OpenStackCluster", "prod");
        Assert.Equal("prod-cloud-config", Str(openStack, "spec.identityRef.name"));
        Assert.Equal("openstack", Str(openStack, "spec.identityRef.cloudName"));
        Assert.Equal("b1a5e6f0-1111-4c2e-9d1e-000000000001", Str(openStack, "spec.externalNetwork.id"));
        Assert.Equal("m1.xlarge", Str(One(objects, "OpenStackMachineTemplate", "prod-workers"), "spec.template.spec.flavor.filter.name"));
        Assert.Equal("ubuntu-2404-kube-v1.33.2", Str(One(objects, "OpenStackMachineTemplate", "prod-control-plane"), "spec.template.spec.image.filter.name"));

        var workers = One(objects, "MachineDeployment", "prod-workers");
        Assert.Equal(3, Int(workers, "spec.replicas"));
        Assert.Equal("v1.33.2", Str(workers, "spec.template.spec.version"));
        Assert.Equal("2", Str(workers, "metadata.annotations.cluster\\.x-k8s\\.io/cluster-api-autoscaler-node-group-min-size"));
        Assert.Equal("10", Str(workers, "metadata.annotations.cluster\\.x-k8s\\.io/cluster-api-autoscaler-node-group-max-size"));
        Assert.Equal("prod-workers", Str(workers, "spec.template.spec.bootstrap.configRef.name"));

        var gpu = One(objects, "MachineDeployment", "prod-gpu");
        Assert.Null(gpu["metadata"]!["annotations"]);

        var join = One(objects, "KubeadmConfigTemplate", "prod-workers")["spec"]!["template"]!["spec"]!["joinConfiguration"]!["nodeRegistration"]!;
        Assert.Contains(join["kubeletExtraArgs"]!.AsArray(), a => Str(a!, "name") == "node-labels" && Str(a!, "value") == "tier=batch");
        Assert.Equal("dedicated", Str(join, "taints[0].key"));
        Assert.Equal("NoSchedule", Str(join, "taints[0].effect"));

        var gpuJoin = One(objects, "KubeadmConfigTemplate", "prod-gpu")["spec"]!["template"]!["spec"]!["joinConfiguration"]!["nodeRegistration"]!;
        Assert.Contains(gpuJoin["kubeletExtraArgs"]!.AsArray(), a => Str(a!, "value") == "nvidia.com/gpu.present=true");
        Assert.Null(gpuJoin["taints"]);

        Assert.Equal(2, objects.Count(o => Str(o, "kind") == "MachineHealthCheck"));
    }

    [Fact]
    public void a_pool_on_its_upgrade_step_keeps_its_own_version_until_then()
    {
        var blueprint = OpenStack() with { KubernetesVersion = "v1.34.0" };
        blueprint = blueprint with { NodePools = [blueprint.NodePools[0] with { Version = "v1.33.2" }, blueprint.NodePools[1]] };

        var objects = ClusterObjects.Build(blueprint);

        Assert.Equal("v1.34.0", Str(One(objects, "KubeadmControlPlane", "prod-control-plane"), "spec.version"));
        Assert.Equal("v1.33.2", Str(One(objects, "MachineDeployment", "prod-workers"), "spec.template.spec.version"));
        Assert.Equal("v1.34.0", Str(One(objects, "MachineDeployment", "prod-gpu"), "spec.template.spec.version"));
    }

    [Fact]
    public void a_vsphere_machine_has_the_size_of_its_machine_type()
    {
        var objects = ClusterObjects.Build(VSphere());

        var workers = One(objects, "VSphereMachineTemplate", "prod-workers")["spec"]!["template"]!["spec"]!;
        Assert.Equal(8, Int(workers, "numCPUs"));
        Assert.Equal(32 * 1024, Int(workers, "memoryMiB"));
        Assert.Equal(120, Int(workers, "diskGiB"));
        Assert.Equal("VM Network", Str(workers, "network.devices[0].networkName"));
        var cp = One(objects, "VSphereMachineTemplate", "prod-control-plane")["spec"]!["template"]!["spec"]!;
        Assert.Equal(VSphereSize.DefaultDiskGiB, Int(cp, "diskGiB"));
        var cluster = One(objects, "VSphereCluster", "prod");
        Assert.Equal("10.0.0.50", Str(cluster, "spec.controlPlaneEndpoint.host"));
        Assert.Equal(6443, Int(cluster, "spec.controlPlaneEndpoint.port"));
        Assert.Equal("Secret", Str(cluster, "spec.identityRef.kind"));
    }

    [Fact]
    public void a_metal3_machine_picks_hosts_by_its_selector_and_boots_the_image()
    {
        var objects = ClusterObjects.Build(Metal3());

        var gpu = One(objects, "Metal3MachineTemplate", "prod-gpu")["spec"]!["template"]!["spec"]!;
        Assert.Equal("nvidia", Str(gpu, "hostSelector.matchLabels.gpu"));
        Assert.Equal("http://images.example.com/ubuntu.qcow2", Str(gpu, "image.url"));
        Assert.Equal("qcow2", Str(gpu, "image.diskFormat"));
    }

    [Fact]
    public void an_eks_cluster_has_managed_node_groups_with_their_bounds_labels_and_taints()
    {
        var objects = ClusterObjects.Build(Eks());

        var cluster = One(objects, "Cluster", "prod");
        Assert.Equal("AWSManagedControlPlane", Str(cluster, "spec.controlPlaneRef.kind"));
        Assert.Equal("AWSManagedCluster", Str(cluster, "spec.infrastructureRef.kind"));
        var cp = One(objects, "AWSManagedControlPlane", "prod-control-plane");
        Assert.Equal("eu-central-1", Str(cp, "spec.region"));
        Assert.Equal("prod-role", Str(cp, "spec.identityRef.name"));
        var workers = One(objects, "AWSManagedMachinePool", "prod-workers");
        Assert.Equal(2, Int(workers, "spec.scaling.minSize"));
        Assert.Equal(10, Int(workers, "spec.scaling.maxSize"));
        Assert.Equal("no-schedule", Str(workers, "spec.taints[0].effect"));
        Assert.Equal("batch", Str(workers, "spec.labels.tier"));
        Assert.Equal("true", Str(One(objects, "AWSManagedMachinePool", "prod-gpu"), "spec.labels.nvidia\\.com/gpu\\.present"));
        var pool = One(objects, "MachinePool", "prod-workers");
        Assert.Equal(3, Int(pool, "spec.replicas"));
        Assert.Equal("10", Str(pool, "metadata.annotations.cluster\\.x-k8s\\.io/cluster-api-autoscaler-node-group-max-size"));
    }

    [Fact]
    public void an_aks_cluster_holds_its_azure_service_operator_resources_with_the_credential()
    {
        var objects = ClusterObjects.Build(Aks());

        var group = One(objects, "AzureASOManagedCluster", "prod")["spec"]!["resources"]![0]!;
        Assert.Equal("ResourceGroup", Str(group, "kind"));
        Assert.Equal("rg-prod", Str(group, "spec.azureName"));
        var managed = One(objects, "AzureASOManagedControlPlane", "prod-control-plane")["spec"]!["resources"]![0]!;
        Assert.Equal("ManagedCluster", Str(managed, "kind"));
        Assert.Equal("aso-credentials", Str(managed, "metadata.annotations.serviceoperator\\.azure\\.com/credential-from"));
        Assert.Equal("10.96.0.10", Str(managed, "spec.networkProfile.dnsServiceIP"));
        var agents = One(objects, "AzureASOManagedMachinePool", "prod-workers")["spec"]!["resources"]![0]!;
        Assert.Equal("Standard_D4s_v5", Str(agents, "spec.vmSize"));
        Assert.Equal("System", Str(agents, "spec.mode"));
        Assert.Equal(2, Int(agents, "spec.minCount"));
        Assert.Equal(10, Int(agents, "spec.maxCount"));
        Assert.Equal("dedicated=batch:NoSchedule", Str(agents, "spec.nodeTaints[0]"));
        Assert.Equal("User", Str(One(objects, "AzureASOManagedMachinePool", "prod-gpu")["spec"]!["resources"]![0]!, "spec.mode"));
    }

    [Fact]
    public void a_gke_cluster_scales_its_pools_itself()
    {
        var objects = ClusterObjects.Build(Gke());

        var cp = One(objects, "GCPManagedControlPlane", "prod-control-plane");
        Assert.Equal("europe-west1", Str(cp, "spec.location"));
        Assert.Equal("v1.33.2", Str(cp, "spec.controlPlaneVersion"));
        Assert.Equal("gcp-sa", Str(One(objects, "GCPManagedCluster", "prod"), "spec.credentialsRef.name"));
        var workers = One(objects, "GCPManagedMachinePool", "prod-workers");
        Assert.True(workers["spec"]!["scaling"]!["enableAutoscaling"]!.GetValue<bool>());
        Assert.Equal(10, Int(workers, "spec.scaling.maxCount"));
        Assert.False(One(objects, "GCPManagedMachinePool", "prod-gpu")["spec"]!["scaling"]!["enableAutoscaling"]!.GetValue<bool>());
    }

    [Fact]
    public void a_topology_cluster_is_one_cluster_naming_its_class_and_machine_deployment_classes()
    {
        var objects = ClusterObjects.Build(Topology());

        var cluster = Assert.Single(objects);
        Assert.Equal("openstack-default", Str(cluster, "spec.topology.classRef.name"));
        Assert.Equal("v1.33.2", Str(cluster, "spec.topology.version"));
        Assert.Equal(3, Int(cluster, "spec.topology.controlPlane.replicas"));
        Assert.Equal("default-worker", Str(cluster, "spec.topology.workers.machineDeployments[0].class"));
        Assert.Equal("workers", Str(cluster, "spec.topology.workers.machineDeployments[0].name"));
        Assert.Equal("2", Str(cluster, "spec.topology.workers.machineDeployments[0].metadata.annotations.cluster\\.x-k8s\\.io/cluster-api-autoscaler-node-group-min-size"));
        Assert.Equal(1, Int(cluster, "spec.topology.workers.machineDeployments[1].replicas"));
        Assert.Empty(ClusterObjects.PoolObjects(Topology(), "workers"));
    }

    [Theory]
    [InlineData("OpenStack", "OpenStackMachineTemplate,KubeadmConfigTemplate,MachineDeployment")]
    [InlineData("Eks", "AWSManagedMachinePool,MachinePool")]
    [InlineData("Aks", "AzureASOManagedMachinePool,MachinePool")]
    [InlineData("Gke", "GCPManagedMachinePool,MachinePool")]
    public void a_pools_objects_are_the_ones_the_cluster_has_for_it(string infrastructure, string kinds)
    {
        var blueprint = Named(infrastructure);

        var pool = ClusterObjects.PoolObjects(blueprint, "gpu");

        Assert.Equal(kinds.Split(','), pool.Select(o => Str(o, "kind")));
        Assert.All(pool, o => Assert.Equal("prod-gpu", Str(o, "metadata.name")));
        var all = ClusterObjects.Build(blueprint).Select(o => o.ToJsonString()).ToHashSet();
        Assert.All(pool, o => Assert.Contains(o.ToJsonString(), all));
    }

    // --- the validator ---------------------------------------------------------------------------------------

    private static IReadOnlyList<SchemaProblem> Validate(JsonObject o) =>
        CrdSchemaValidator.Validate(o, Crds.Schemas[(Str(o, "apiVersion")!, Str(o, "kind")!)]);

    private static JsonObject Kcp() => One(ClusterObjects.Build(OpenStack()), "KubeadmControlPlane", "prod-control-plane");

    [Fact]
    public void the_validator_reports_a_wrong_type_at_its_path()
    {
        var kcp = Kcp();
        kcp["spec"]!["replicas"] = "three";

        var problem = Assert.Single(Validate(kcp));

        Assert.Equal(new SchemaProblem("KubeadmControlPlane/prod-control-plane", "spec.replicas", problem.Message), problem);
        Assert.Contains("integer", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void the_validator_reports_a_missing_required_field_at_its_path()
    {
        var kcp = Kcp();
        kcp["spec"]!.AsObject().Remove("version");

        var problem = Assert.Single(Validate(kcp));

        Assert.Equal("spec.version", problem.Path);
        Assert.Equal("Required value.", problem.Message);
    }

    [Fact]
    public void the_validator_reports_an_enum_violation_at_its_path()
    {
        var join = One(ClusterObjects.Build(OpenStack()), "KubeadmConfigTemplate", "prod-workers");
        join["spec"]!["template"]!["spec"]!["format"] = "yaml";

        var problem = Assert.Single(Validate(join));

        Assert.Equal("spec.template.spec.format", problem.Path);
    }

    [Fact]
    public void the_validator_reports_a_pattern_violation_at_its_path()
    {
        var cluster = One(ClusterObjects.Build(OpenStack()), "Cluster", "prod");
        cluster["spec"]!["infrastructureRef"]!["name"] = "Not_A_Name";

        var problem = Assert.Single(Validate(cluster));

        Assert.Equal("spec.infrastructureRef.name", problem.Path);
    }

    [Fact]
    public void the_validator_reports_an_unknown_field_the_api_server_would_drop()
    {
        var md = One(ClusterObjects.Build(OpenStack()), "MachineDeployment", "prod-workers");
        md["spec"]!["template"]!["spec"]!["flavour"] = "m1.large";

        var problem = Assert.Single(Validate(md));

        Assert.Equal("spec.template.spec.flavour", problem.Path);
        Assert.Contains("Unknown field", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void the_validator_allows_int_or_string_and_nested_preserved_objects()
    {
        var mhc = One(ClusterObjects.Build(OpenStack()), "MachineHealthCheck", "prod-workers");
        mhc["spec"]!["remediation"]!["triggerIf"]!["unhealthyLessThanOrEqualTo"] = 3;

        Assert.Empty(Validate(mhc));
    }

    [Fact]
    public void the_validator_refuses_a_schema_deeper_than_its_bound()
    {
        var schema = "{\"type\":\"object\"}";
        for (var i = 0; i < CrdSchemaValidator.MaxDepth + 2; i++) schema = $"{{\"type\":\"object\",\"properties\":{{\"a\":{schema}}}}}";
        using var document = JsonDocument.Parse(schema, new JsonDocumentOptions { MaxDepth = 1000 });

        var problem = Assert.Single(CrdSchemaValidator.Validate(Kcp(), document.RootElement));

        Assert.Contains("deeper", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_object_of_a_kind_the_management_cluster_does_not_serve_is_a_problem()
    {
        var problems = CrdSchemaValidator.ValidateAll([Kcp()], new Dictionary<(string, string), JsonElement>());

        Assert.Equal("KubeadmControlPlane/prod-control-plane", Assert.Single(problems).Object);
    }

    // --- provider checks --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("16")]
    [InlineData("1x4")]
    [InlineData("4xlarge")]
    public void a_bad_vsphere_size_is_a_field_error(string size)
    {
        var blueprint = VSphere();
        blueprint = blueprint with { NodePools = [blueprint.NodePools[0] with { MachineType = size }, blueprint.NodePools[1]] };

        var error = Assert.Single(ClusterObjects.Check(blueprint));

        Assert.Equal("nodePools[0].machineType", error.Field);
    }

    [Theory]
    [InlineData("role")]
    [InlineData("=worker")]
    [InlineData("role=not valid")]
    public void a_bad_metal3_selector_is_a_field_error(string selector)
    {
        var blueprint = Metal3() with { ControlPlane = new ControlPlaneSpec(3, selector) };

        Assert.Equal("controlPlane.machineType", Assert.Single(ClusterObjects.Check(blueprint)).Field);
    }

    [Theory]
    [InlineData("ftp://images.example.com/ubuntu.qcow2")]
    [InlineData("file:///var/images/ubuntu.qcow2")]
    [InlineData("images.example.com/ubuntu.qcow2")]
    public void an_image_url_that_is_not_http_is_a_field_error(string url)
    {
        var blueprint = Metal3();
        blueprint = blueprint with { Settings = new Dictionary<string, string>(blueprint.Settings) { ["imageUrl"] = url } };

        Assert.Equal("settings.imageUrl", Assert.Single(ClusterObjects.Check(blueprint)).Field);
    }

    [Fact]
    public void an_aks_pool_name_azure_refuses_is_a_field_error()
    {
        var blueprint = Aks();
        blueprint = blueprint with { NodePools = [blueprint.NodePools[0] with { Name = "general-purpose-1" }, blueprint.NodePools[1]] };

        Assert.Equal("nodePools[0].name", Assert.Single(ClusterObjects.Check(blueprint)).Field);
    }

    [Fact]
    public void a_pool_name_too_long_for_cluster_apis_labels_is_a_field_error()
    {
        var blueprint = OpenStack() with { Name = new string('c', 40) };
        blueprint = blueprint with { NodePools = [blueprint.NodePools[0] with { Name = new string('p', 30) }, blueprint.NodePools[1]] };

        Assert.Equal("nodePools[0].name", Assert.Single(ClusterObjects.Check(blueprint)).Field);
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static JsonObject One(IReadOnlyList<JsonObject> objects, string kind, string name) =>
        Assert.Single(objects, o => Str(o, "kind") == kind && Str(o, "metadata.name") == name);

    /// <summary>Every Cluster API reference ({apiGroup, kind, name}) names an object of the set, in that group.</summary>
    private static void AssertReferencesResolve(IReadOnlyList<JsonObject> objects)
    {
        var present = objects.Select(o => (Group: Str(o, "apiVersion")!.Split('/')[0], Kind: Str(o, "kind"), Name: Str(o, "metadata.name"))).ToHashSet();
        var references = objects.SelectMany(o => References(o["spec"])).ToList();
        Assert.NotEmpty(references);
        foreach (var r in references)
            Assert.True(present.Contains(r) || (r.Kind is "Cluster" && r.Group == "cluster.x-k8s.io"), $"{r} is not among the objects");
    }

    private static IEnumerable<(string Group, string? Kind, string? Name)> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o["apiGroup"] is JsonValue && o["kind"] is JsonValue && o["name"] is JsonValue:
                yield return (Str(o, "apiGroup")!, Str(o, "kind"), Str(o, "name"));
                break;
            case JsonObject o:
                foreach (var (_, v) in o) foreach (var r in References(v)) yield return r;
                break;
            case JsonArray a:
                foreach (var v in a) foreach (var r in References(v)) yield return r;
                break;
        }
    }

    /// <summary>A value by a dotted path ("spec.a[0].b"; a literal dot in a key escaped as "\.").</summary>
    private static string? Str(JsonNode node, string path) => At(node, path)?.GetValue<object>()?.ToString();

    private static int Int(JsonNode node, string path) => At(node, path)!.GetValue<int>();

    private static JsonNode? At(JsonNode node, string path)
    {
        JsonNode? current = node;
        var keys = System.Text.RegularExpressions.Regex.Split(path.Replace("\\.", "\u0001", StringComparison.Ordinal), "\\.")
            .Select(k => k.Replace("\u0001", ".", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            var name = key;
            var index = -1;
            if (key.EndsWith(']') && key.IndexOf('[', StringComparison.Ordinal) is var open and >= 0)
            {
                name = key[..open];
                index = int.Parse(key[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            }
            current = current?[name];
            if (index >= 0) current = current is JsonArray a && index < a.Count ? a[index] : null;
        }
        return current;
    }
}

/// <summary>The CRDs of Cluster API and its providers from shared/kubernetes/crds, by (apiVersion, kind).</summary>
internal static class Crds
{
    private static readonly Lazy<(Dictionary<(string, string), JsonElement> Schemas, Dictionary<string, string> Storage)> Loaded = new(Load);

    public static IReadOnlyDictionary<(string ApiVersion, string Kind), JsonElement> Schemas => Loaded.Value.Schemas;

    public static string StorageVersion(string kind) => Loaded.Value.Storage[kind];

    private static (Dictionary<(string, string), JsonElement>, Dictionary<string, string>) Load()
    {
        var schemas = new Dictionary<(string, string), JsonElement>();
        var storage = new Dictionary<string, string>();
        foreach (var project in new[] { "cluster-api", "capi-openstack", "capi-vsphere", "capi-metal3", "capi-aws", "capi-azure", "capi-gcp" })
            foreach (var file in Directory.GetFiles(Path.Combine(SharedCrds.Directory, project), "*.yaml"))
            {
                var crd = YamlToJson.Parse(File.ReadAllText(file))!;
                var group = crd["spec"]!["group"]!.GetValue<string>();
                var kind = crd["spec"]!["names"]!["kind"]!.GetValue<string>();
                foreach (var version in crd["spec"]!["versions"]!.AsArray())
                {
                    var apiVersion = $"{group}/{version!["name"]!.GetValue<string>()}";
                    using var schema = JsonDocument.Parse(version["schema"]!["openAPIV3Schema"]!.ToJsonString(), new JsonDocumentOptions { MaxDepth = 256 });
                    schemas[(apiVersion, kind)] = schema.RootElement.Clone();
                    if (version["storage"]?.GetValue<bool>() == true) storage[kind] = apiVersion;
                }
            }
        return (schemas, storage);
    }
}
