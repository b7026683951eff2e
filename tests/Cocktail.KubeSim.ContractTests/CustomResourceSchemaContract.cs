using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using Cocktail.KubeSim.Discovery;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Cluster API's CRDs, installed from the project's own YAML, are served with their real schemas as the
/// apiextensions-apiserver serves them: 422 Invalid with kube-openapi's messages, defaults, the status subresource,
/// generation, both served versions (v1beta1 deprecated, strategy None), printer columns and CEL rules.
/// The CRDs stay installed (they are cluster-wide and other runs reuse them).
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class CustomResourceSchemaContract(ClusterUnderTest cluster)
{
    const string Group = "cluster.x-k8s.io";
    IKubernetes Client => cluster.Client;

    static readonly SemaphoreSlim InstallGate = new(1, 1);
    static bool _installed;

    async Task InstallClusterApiAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (_installed) return;
            var names = new List<string>();
            foreach (var project in SharedCrds.ClusterApiProjects)
                foreach (var file in Directory.GetFiles(Path.Combine(SharedCrds.Directory, project), "*.yaml").Order(StringComparer.Ordinal))
                {
                    var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file));
                    names.Add(crd.Metadata.Name);
                    try { await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd); }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict) { }
                }
            foreach (var name in names)
                await Eventually.Get(() => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name),
                    c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true);
            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Creates the object, retrying while the new resource is not yet served (discovery catching up on a real server).</summary>
    async Task<JsonObject> CreateAsync(JsonObject body, string group, string version, string ns, string plural)
    {
        JsonObject? created = null;
        await Eventually.Until(async () =>
        {
            try
            {
                var result = await Client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(body, group, version, ns, plural);
                created = JsonNode.Parse(result.GetRawText())!.AsObject();
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return false; }
        });
        return created!;
    }

    async Task<JsonObject> GetAsync(string group, string version, string ns, string plural, string name) =>
        JsonNode.Parse((await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(group, version, ns, plural, name)).GetRawText())!.AsObject();

    static JsonObject Cluster(string name, JsonObject? spec = null) => new()
    {
        ["apiVersion"] = $"{Group}/v1beta2", ["kind"] = "Cluster",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec ?? new JsonObject
        {
            ["clusterNetwork"] = new JsonObject { ["pods"] = new JsonObject { ["cidrBlocks"] = new JsonArray("192.168.0.0/16") } },
            ["infrastructureRef"] = new JsonObject { ["apiGroup"] = "infrastructure.cluster.x-k8s.io", ["kind"] = "OpenStackCluster", ["name"] = name },
        },
    };

    static async Task<ApiError> Refused(Func<Task> call)
    {
        var error = await ApiError.From(call);
        Assert.Equal((HttpStatusCode)422, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        return error;
    }

    static List<(string Reason, string Field, string Message)> Causes(ApiError error) =>
        error.Status["details"]!["causes"]!.AsArray().Select(c => (c!["reason"]!.GetValue<string>(), c["field"]!.GetValue<string>(), c["message"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task the_cluster_api_crds_install_and_every_provider_kind_is_established()
    {
        await InstallClusterApiAsync();
        var crds = (await Client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items;
        foreach (var kind in new[] { "clusters.cluster.x-k8s.io", "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io", "openstackclusters.infrastructure.cluster.x-k8s.io", "vsphereclusters.infrastructure.cluster.x-k8s.io", "awsmanagedcontrolplanes.controlplane.cluster.x-k8s.io" })
            Assert.Contains(crds, c => c.Metadata.Name == kind && c.Status.Conditions.Any(x => x.Type == "Established" && x.Status == "True"));
        var group = await Client.Apis.GetAPIVersionsAsync();
        var capi = group.Groups.Single(g => g.Name == Group);
        Assert.Equal("v1beta2", capi.PreferredVersion.Version);
        Assert.Equal(["v1beta2", "v1beta1"], capi.Versions.Select(v => v.Version).ToArray());
    }

    [Fact]
    public async Task a_value_that_breaks_a_pattern_is_refused_with_the_apiservers_message_and_cause()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var bad = Cluster("bad-pattern");
        bad["spec"]!["infrastructureRef"]!["name"] = "Not_A_Name";
        var error = await Refused(() => CreateAsync(bad, Group, "v1beta2", ns, "clusters"));
        const string pattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
        Assert.Equal($"Cluster.cluster.x-k8s.io \"bad-pattern\" is invalid: spec.infrastructureRef.name: Invalid value: \"Not_A_Name\": spec.infrastructureRef.name in body should match '{pattern}'", error.Message);
        Assert.Equal([("FieldValueInvalid", "spec.infrastructureRef.name", $"Invalid value: \"Not_A_Name\": spec.infrastructureRef.name in body should match '{pattern}'")], Causes(error));
        Assert.Equal(("cluster.x-k8s.io", "Cluster", "bad-pattern"),
            (error.Status["details"]!["group"]!.GetValue<string>(), error.Status["details"]!["kind"]!.GetValue<string>(), error.Status["details"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task every_error_is_reported_at_once_type_enum_required_and_range()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var deployment = new JsonObject
        {
            ["apiVersion"] = $"{Group}/v1beta2", ["kind"] = "MachineDeployment",
            ["metadata"] = new JsonObject { ["name"] = "md-bad" },
            ["spec"] = new JsonObject
            {
                ["clusterName"] = "c1",
                ["replicas"] = "three",
                ["rollout"] = new JsonObject { ["strategy"] = new JsonObject { ["type"] = "Recreate" } },
                ["template"] = new JsonObject { ["spec"] = new JsonObject { ["clusterName"] = "c1", ["deletion"] = new JsonObject { ["nodeDrainTimeoutSeconds"] = -5 } } },
            },
        };
        var error = await Refused(() => CreateAsync(deployment, Group, "v1beta2", ns, "machinedeployments"));
        var causes = Causes(error);
        Assert.Contains(("FieldValueTypeInvalid", "spec.replicas", "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""), causes);
        Assert.Contains(("FieldValueNotSupported", "spec.rollout.strategy.type", "Unsupported value: \"Recreate\": supported values: \"RollingUpdate\", \"OnDelete\""), causes);
        Assert.Contains(("FieldValueRequired", "spec.selector", "Required value"), causes);
        Assert.Contains(("FieldValueInvalid", "spec.template.spec.deletion.nodeDrainTimeoutSeconds", "Invalid value: -5: spec.template.spec.deletion.nodeDrainTimeoutSeconds in body should be greater than or equal to 0"), causes);
        Assert.StartsWith("MachineDeployment.cluster.x-k8s.io \"md-bad\" is invalid: [", error.Message);
        foreach (var (_, field, message) in causes) Assert.Contains($"{field}: {message}", error.Message);
    }

    [Fact]
    public async Task a_default_from_the_schema_is_applied_and_visible_on_get()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var config = new JsonObject
        {
            ["apiVersion"] = "bootstrap.cluster.x-k8s.io/v1beta2", ["kind"] = "KubeadmConfig",
            ["metadata"] = new JsonObject { ["name"] = "cp-0" },
            ["spec"] = new JsonObject
            {
                ["clusterConfiguration"] = new JsonObject
                {
                    ["apiServer"] = new JsonObject
                    {
                        ["extraEnvs"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "TOKEN",
                            ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["key"] = "token" } },
                        }),
                    },
                },
            },
        };
        var created = await CreateAsync(config, "bootstrap.cluster.x-k8s.io", "v1beta2", ns, "kubeadmconfigs");
        var read = await GetAsync("bootstrap.cluster.x-k8s.io", "v1beta2", ns, "kubeadmconfigs", "cp-0");
        foreach (var obj in new[] { created, read })
        {
            var reference = obj["spec"]!["clusterConfiguration"]!["apiServer"]!["extraEnvs"]![0]!["valueFrom"]!["secretKeyRef"]!;
            Assert.Equal("", reference["name"]!.GetValue<string>()); // default: ""
            Assert.Null(obj["spec"]!["clusterConfiguration"]!["apiServer"]!["extraEnvs"]![0]!["valueFrom"]!["configMapKeyRef"]); // no parent, no default
        }
    }

    [Fact]
    public async Task a_cel_rule_of_the_crd_refuses_an_invalid_object()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        JsonObject Config(string name, params (string Name, string Value)[] args) => new()
        {
            ["apiVersion"] = "bootstrap.cluster.x-k8s.io/v1beta2", ["kind"] = "KubeadmConfig",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["clusterConfiguration"] = new JsonObject
                {
                    ["apiServer"] = new JsonObject { ["extraArgs"] = new JsonArray(args.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["value"] = a.Value }).ToArray()) },
                },
            },
        };
        await CreateAsync(Config("unique", ("v", "2"), ("audit-log-path", "-")), "bootstrap.cluster.x-k8s.io", "v1beta2", ns, "kubeadmconfigs");
        var error = await Refused(() => CreateAsync(Config("twice", ("v", "2"), ("v", "4")), "bootstrap.cluster.x-k8s.io", "v1beta2", ns, "kubeadmconfigs"));
        Assert.Equal("KubeadmConfig.bootstrap.cluster.x-k8s.io \"twice\" is invalid: spec.clusterConfiguration.apiServer.extraArgs: Invalid value: \"array\": extraArgs name must be unique", error.Message);
        Assert.Equal([("FieldValueInvalid", "spec.clusterConfiguration.apiServer.extraArgs", "Invalid value: \"array\": extraArgs name must be unique")], Causes(error));
    }

    [Fact]
    public async Task status_is_written_only_through_the_status_subresource_and_generation_follows_the_spec()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var body = Cluster("c1");
        body["status"] = new JsonObject { ["phase"] = "Provisioned" };
        var created = await CreateAsync(body, Group, "v1beta2", ns, "clusters");
        Assert.Null(created["status"]?["phase"]);
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());

        // The status subresource ignores spec changes and leaves the generation alone.
        var statusWrite = created.DeepClone().AsObject();
        statusWrite["status"] = new JsonObject { ["phase"] = "Provisioning" };
        statusWrite["spec"]!["paused"] = true;
        await Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(statusWrite, Group, "v1beta2", ns, "clusters", "c1");
        var afterStatus = await GetAsync(Group, "v1beta2", ns, "clusters", "c1");
        Assert.Equal("Provisioning", afterStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Null(afterStatus["spec"]!["paused"]);
        Assert.Equal(1, afterStatus["metadata"]!["generation"]!.GetValue<long>());

        // The main resource ignores status and bumps the generation on a spec change.
        var specWrite = afterStatus.DeepClone().AsObject();
        specWrite["spec"]!["paused"] = true;
        specWrite["status"] = new JsonObject { ["phase"] = "Deleting" };
        await Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(specWrite, Group, "v1beta2", ns, "clusters", "c1");
        var afterSpec = await GetAsync(Group, "v1beta2", ns, "clusters", "c1");
        Assert.True(afterSpec["spec"]!["paused"]!.GetValue<bool>());
        Assert.Equal("Provisioning", afterSpec["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, afterSpec["metadata"]!["generation"]!.GetValue<long>());

        // A metadata-only change keeps it.
        var labelPatch = new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["team"] = "a" } } }.ToJsonString(), V1Patch.PatchType.MergePatch);
        var labelled = JsonNode.Parse(((JsonElement)await Client.CustomObjects.PatchNamespacedCustomObjectAsync(labelPatch, Group, "v1beta2", ns, "clusters", "c1")).GetRawText())!;
        Assert.Equal(2, labelled["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task the_deprecated_v1beta1_path_serves_the_same_object_with_a_warning()
    {
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var created = await CreateAsync(Cluster("both", new JsonObject { ["paused"] = true }), Group, "v1beta2", ns, "clusters");
        using var response = await Client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(Group, "v1beta1", ns, "clusters", "both");
        var old = JsonNode.Parse(response.Body.GetRawText())!;
        Assert.Equal("cluster.x-k8s.io/v1beta1", old["apiVersion"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), old["metadata"]!["uid"]!.GetValue<string>());
        Assert.True(old["spec"]!["paused"]!.GetValue<bool>());
        Assert.Contains("299 - \"cluster.x-k8s.io/v1beta1 Cluster is deprecated; use cluster.x-k8s.io/v1beta2 Cluster\"", response.Response.Headers.GetValues("Warning"));

        using var current = await Client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(Group, "v1beta2", ns, "clusters", "both");
        Assert.False(current.Response.Headers.Contains("Warning"));
    }

    [SkippableFact]
    public async Task kubectl_get_clusters_prints_the_crds_printer_columns()
    {
        Kubectl.SkipIfMissing();
        await InstallClusterApiAsync();
        var ns = await cluster.NewNamespaceAsync("capi");
        var created = await CreateAsync(Cluster("web"), Group, "v1beta2", ns, "clusters");
        var status = created.DeepClone().AsObject();
        status["status"] = new JsonObject
        {
            ["phase"] = "Provisioned",
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Available", ["status"] = "True", ["reason"] = "Available", ["message"] = "",
                ["lastTransitionTime"] = "2026-01-10T08:00:00Z",
            }),
            ["controlPlane"] = new JsonObject { ["desiredReplicas"] = 3, ["availableReplicas"] = 2 },
        };
        await Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(status, Group, "v1beta2", ns, "clusters", "web");
        var get = await Kubectl.Run(cluster.KubeconfigPath, $"get clusters.cluster.x-k8s.io -n {ns}");
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Matches(@"NAME\s+CLUSTERCLASS\s+AVAILABLE\s+CP DESIRED\s+CP AVAILABLE\s+CP UP-TO-DATE\s+W DESIRED\s+W AVAILABLE\s+W UP-TO-DATE\s+PHASE\s+AGE\s+VERSION", get.Stdout);
        Assert.Matches(@"web\s+.*True\s+3\s+2\s+.*Provisioned\s+\d+s", get.Stdout);
        Assert.DoesNotContain("CP CURRENT", get.Stdout); // priority 10: only with -o wide
        var wide = await Kubectl.Run(cluster.KubeconfigPath, $"get clusters.cluster.x-k8s.io -n {ns} -o wide");
        Assert.Contains("CP CURRENT", wide.Stdout);
    }
}
