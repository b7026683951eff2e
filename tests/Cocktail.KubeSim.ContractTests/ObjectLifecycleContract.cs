using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>Create, read, update and delete with the metadata rules every resource shares.</summary>
[Collection(ContractCollection.Name)]
public sealed class ObjectLifecycleContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    [Fact]
    public async Task a_created_object_gets_uid_creation_timestamp_and_resource_version()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("settings"), ns);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.True(long.Parse(created.Metadata.ResourceVersion) > 0);
        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("value", read.Data["key"]);
    }

    [Fact]
    public async Task creating_an_existing_name_is_refused_with_409_AlreadyExists()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("twice"), ns);
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("twice"), ns));
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("AlreadyExists", error.Reason);
        Assert.Equal("configmaps \"twice\" already exists", error.Message);
    }

    [Fact]
    public async Task reading_a_missing_object_is_404_NotFound_with_the_qualified_resource_in_the_message()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var error = await ApiError.From(() => Client.AppsV1.ReadNamespacedDeploymentAsync("ghost", ns));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("NotFound", error.Reason);
        Assert.Equal("deployments.apps \"ghost\" not found", error.Message);
        Assert.Equal("apps", error.Status["details"]?["group"]?.GetValue<string>());
        Assert.Equal("deployments", error.Status["details"]?["kind"]?.GetValue<string>());
    }

    [Fact]
    public async Task a_stale_resource_version_update_is_refused_with_409_Conflict()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var original = await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("contended"), ns);
        original.Data["key"] = "first";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "contended", ns);
        original.Data["key"] = "second";
        var error = await ApiError.From(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "contended", ns));
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"contended\": the object has been modified; please apply your changes to the latest version and try again", error.Message);
    }

    [Fact]
    public async Task resource_versions_increase_with_every_write_across_the_cluster()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("a"), ns);
        var b = await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("b"), ns);
        a.Data["key"] = "changed";
        var a2 = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        Assert.True(long.Parse(b.Metadata.ResourceVersion) > long.Parse(a.Metadata.ResourceVersion));
        Assert.True(long.Parse(a2.Metadata.ResourceVersion) > long.Parse(b.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task generation_changes_with_the_spec_but_not_with_labels()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("gen", 0), ns);
        Assert.Equal(1, created.Metadata.Generation);
        var labelled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"metadata\":{\"labels\":{\"team\":\"a\"}}}", V1Patch.PatchType.MergePatch), "gen", ns);
        Assert.Equal(1, labelled.Metadata.Generation);
        var scaled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":2}}", V1Patch.PatchType.MergePatch), "gen", ns);
        Assert.Equal(2, scaled.Metadata.Generation);
    }

    [Fact]
    public async Task an_invalid_name_is_refused_with_422_Invalid_and_a_field_cause()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("Not_Valid"), ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        Assert.StartsWith("ConfigMap \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain must consist of", error.Message);
        var cause = error.Status["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueInvalid", cause["reason"]!.GetValue<string>());
        Assert.Equal("metadata.name", cause["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task creating_in_a_missing_namespace_is_404_for_the_namespace()
    {
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("x"), "no-such-namespace-here"));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("namespaces \"no-such-namespace-here\" not found", error.Message);
    }

    [Fact]
    public async Task a_finalizer_keeps_a_deleted_object_with_a_deletion_timestamp_until_it_is_removed()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        var cm = Manifests.ConfigMap("guarded");
        cm.Metadata.Finalizers = ["cocktail.io/hold"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("guarded", ns);
        var lingering = await Client.CoreV1.ReadNamespacedConfigMapAsync("guarded", ns);
        Assert.NotNull(lingering.Metadata.DeletionTimestamp);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "guarded", ns);
        var error = await ApiError.From(() => Client.CoreV1.ReadNamespacedConfigMapAsync("guarded", ns));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task a_terminating_namespace_refuses_new_objects_with_403_and_removes_what_it_held()
    {
        var ns = await cluster.NewNamespaceAsync("term");
        var held = Manifests.ConfigMap("held");
        held.Metadata.Finalizers = ["cocktail.io/hold"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(held, ns);
        await Client.CoreV1.DeleteNamespaceAsync(ns);
        var terminating = await Client.CoreV1.ReadNamespaceAsync(ns);
        Assert.Equal("Terminating", terminating.Status.Phase);
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("late"), ns));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", error.Message);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns)).Metadata.DeletionTimestamp is not null);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", ns);
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != ns), because: "the namespace goes once it is empty");
    }

    [Fact]
    public async Task label_selectors_support_equality_set_and_existence_operators()
    {
        var ns = await cluster.NewNamespaceAsync("sel");
        // The root CA publisher adds kube-root-ca.crt to a new namespace asynchronously; the selectors below expect it.
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=kube-root-ca.crt")).Items.Count == 1,
            because: "kube-root-ca.crt is published in the new namespace");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("a", labels: new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("b", labels: new Dictionary<string, string> { ["tier"] = "db", ["env"] = "prod" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("c", labels: new Dictionary<string, string> { ["tier"] = "cache" }), ns);
        async Task<string[]> Names(string selector) =>
            (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector)).Items.Select(i => i.Metadata.Name).Order().ToArray();
        Assert.Equal(["a"], await Names("tier=web"));
        Assert.Equal(["a"], await Names("tier==web"));
        // != and notin also match objects without the label (here the namespace's kube-root-ca.crt).
        Assert.Equal(["b", "c", "kube-root-ca.crt"], await Names("tier!=web"));
        Assert.Equal(["a", "b"], await Names("tier in (web,db)"));
        Assert.Equal(["c", "kube-root-ca.crt"], await Names("tier notin (web,db)"));
        Assert.Equal(["a", "b"], await Names("env"));
        Assert.Equal(["c"], await Names("!env,tier"));
        Assert.Equal(["b"], await Names("env=prod,tier!=web"));
    }

    [Fact]
    public async Task field_selectors_filter_by_name_and_unknown_fields_are_400()
    {
        var ns = await cluster.NewNamespaceAsync("sel");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("one"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("two"), ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=two");
        Assert.Equal("two", Assert.Single(list.Items).Metadata.Name);
        var error = await ApiError.From(() => Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "data.key=value"));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("BadRequest", error.Reason);
        Assert.Equal("\"data.key\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", error.Message);
        // Pods have a field label conversion of their own, with its own wording.
        var podError = await ApiError.From(() => Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.dnsPolicy=Default"));
        Assert.Equal(HttpStatusCode.BadRequest, podError.StatusCode);
        Assert.Equal("field label not supported: spec.dnsPolicy", podError.Message);
    }

    [Fact]
    public async Task paging_with_limit_and_continue_returns_every_item_once()
    {
        var ns = await cluster.NewNamespaceAsync("page");
        for (var i = 0; i < 7; i++) await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap($"item-{i}"), ns);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, continueParameter: token, labelSelector: null);
            seen.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            if (token is not null) Assert.True(page.Metadata.RemainingItemCount > 0);
            pages++;
        } while (!string.IsNullOrEmpty(token));
        var expected = Enumerable.Range(0, 7).Select(i => $"item-{i}").Append("kube-root-ca.crt").Order().ToArray();
        Assert.Equal(expected, seen.Order().ToArray());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task list_items_carry_no_kind_and_the_list_reports_its_resource_version()
    {
        var ns = await cluster.NewNamespaceAsync("crud");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("a"), ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));
        Assert.All(list.Items, i => Assert.Null(i.Kind));
    }
}
