using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>The four patch types, and server-side apply's field ownership.</summary>
[Collection(ContractCollection.Name)]
public sealed class PatchContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    [Fact]
    public async Task a_json_merge_patch_merges_maps_and_null_removes_a_key()
    {
        var ns = await cluster.NewNamespaceAsync("patch");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("m", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }), ns);
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":null,\"c\":\"3\"}}", V1Patch.PatchType.MergePatch), "m", ns);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Data);
    }

    [Fact]
    public async Task a_json_patch_applies_its_operations_in_order()
    {
        var ns = await cluster.NewNamespaceAsync("patch");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("j", new Dictionary<string, string> { ["a"] = "1" }), ns);
        var patch = "[{\"op\":\"add\",\"path\":\"/data/b\",\"value\":\"2\"},{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"9\"},{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"x/y\":\"z\"}}]";
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "j", ns);
        Assert.Equal("9", patched.Data["a"]);
        Assert.Equal("2", patched.Data["b"]);
        Assert.Equal("z", patched.Metadata.Labels["x/y"]);
    }

    [Fact]
    public async Task a_strategic_merge_patch_merges_containers_by_name_and_env_by_name()
    {
        var ns = await cluster.NewNamespaceAsync("patch");
        var deployment = Manifests.Deployment("smp", 0);
        deployment.Spec.Template.Spec.Containers.Add(Manifests.Container("sidecar", "busybox:1.36"));
        deployment.Spec.Template.Spec.Containers[0].Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "B", Value = "2" }];
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
        var patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.28\",\"env\":[{\"name\":\"B\",\"value\":\"20\"},{\"name\":\"C\",\"value\":\"3\"}]}]}}}}";
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "smp", ns);
        var containers = patched.Spec.Template.Spec.Containers;
        Assert.Equal(["app", "sidecar"], containers.Select(c => c.Name).ToArray());
        Assert.Equal("nginx:1.28", containers[0].Image);
        Assert.Equal("busybox:1.36", containers[1].Image);
        Assert.Equal(["A=1", "B=20", "C=3"], containers[0].Env.Select(e => $"{e.Name}={e.Value}").ToArray());
    }

    [Fact]
    public async Task a_strategic_merge_patch_can_delete_a_list_item_with_the_patch_directive()
    {
        var ns = await cluster.NewNamespaceAsync("patch");
        var deployment = Manifests.Deployment("smpdel", 0);
        deployment.Spec.Template.Spec.Containers.Add(Manifests.Container("sidecar", "busybox:1.36"));
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
        var patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"$patch\":\"delete\"}]}}}}";
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "smpdel", ns);
        Assert.Equal("app", Assert.Single(patched.Spec.Template.Spec.Containers).Name);
    }

    // KubernetesClient sends apply patches as JSON (valid YAML), as kubectl does.
    const string AppliedConfigMap = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"owner":"first"}}""";

    [Fact]
    public async Task server_side_apply_creates_then_records_the_field_manager()
    {
        var ns = await cluster.NewNamespaceAsync("ssa");
        var applied = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(AppliedConfigMap, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "cocktail");
        Assert.Equal("first", applied.Data["owner"]);
        var entry = Assert.Single(applied.Metadata.ManagedFields, m => m.Manager == "cocktail");
        Assert.Equal("Apply", entry.Operation);
        Assert.Equal("FieldsV1", entry.FieldsType);
    }

    [Fact]
    public async Task server_side_apply_of_a_field_owned_by_another_manager_is_a_409_conflict_unless_forced()
    {
        var ns = await cluster.NewNamespaceAsync("ssa");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(AppliedConfigMap, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "first-manager");
        var rival = AppliedConfigMap.Replace("\"first\"", "\"second\"");
        var error = await ApiError.From(() => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(rival, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "second-manager"));
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"first-manager\": .data.owner", error.Message);
        var forced = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(rival, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "second-manager", force: true);
        Assert.Equal("second", forced.Data["owner"]);
        Assert.DoesNotContain(forced.Metadata.ManagedFields, m => m.Manager == "first-manager");
    }

    [Fact]
    public async Task server_side_apply_removes_fields_the_manager_stops_applying()
    {
        var ns = await cluster.NewNamespaceAsync("ssa");
        var both = AppliedConfigMap.Replace("\"owner\":\"first\"", "\"owner\":\"first\",\"extra\":\"yes-please\"");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(both, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "cocktail");
        var after = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(AppliedConfigMap, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "cocktail");
        Assert.False(after.Data.ContainsKey("extra"));
    }

    [Fact]
    public async Task server_side_apply_refuses_a_field_the_schema_does_not_declare_whatever_field_validation_says()
    {
        var ns = await cluster.NewNamespaceAsync("ssa");
        var applied = $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"undeclared","namespace":"{{{ns}}}"},"spec":{"foo":"bar","ports":[{"port":80}]}}""";
        var error = await ApiError.From(() => Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "undeclared", ns, fieldManager: "cocktail", fieldValidation: "Ignore"));
        // The apiserver surfaces structured-merge-diff's conversion error as a plain error: a 500 without a reason
        // (kubernetes/kubernetes#122480; #139253 proposes a 400).
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("", error.Reason);
        Assert.Equal($"failed to create typed patch object ({ns}/undeclared; /v1, Kind=Service): .spec.foo: field not declared in schema", error.Message);
        var read = await ApiError.From(() => Client.CoreV1.ReadNamespacedServiceAsync("undeclared", ns));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task scaling_through_the_scale_subresource_changes_spec_replicas()
    {
        var ns = await cluster.NewNamespaceAsync("scale");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("scaled", 0), ns);
        var scale = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "scaled", ns);
        Assert.Equal(4, scale.Spec.Replicas);
        Assert.Equal(4, (await Client.AppsV1.ReadNamespacedDeploymentAsync("scaled", ns)).Spec.Replicas);
        var read = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("scaled", ns);
        Assert.Equal("Scale", read.Kind);
        Assert.Equal(4, read.Spec.Replicas);
    }
}
