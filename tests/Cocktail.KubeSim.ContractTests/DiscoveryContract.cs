using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

[Collection(ContractCollection.Name)]
public sealed class DiscoveryContract(ClusterUnderTest cluster)
{
    [Fact]
    public async Task version_reports_a_kubernetes_server_version()
    {
        var version = await cluster.Client.Version.GetCodeAsync();
        Assert.Equal("1", version.Major);
        Assert.StartsWith("v1.", version.GitVersion);
        Assert.Equal("linux/amd64", version.Platform);
    }

    [Fact]
    public async Task api_groups_list_apps_with_v1_preferred()
    {
        var groups = await cluster.Client.Apis.GetAPIVersionsAsync();
        var apps = Assert.Single(groups.Groups, g => g.Name == "apps");
        Assert.Equal("apps/v1", apps.PreferredVersion.GroupVersion);
        Assert.Contains(groups.Groups, g => g.Name == "rbac.authorization.k8s.io");
    }

    [Fact]
    public async Task apps_v1_resources_include_deployments_with_their_verbs_short_names_and_scale_subresource()
    {
        var resources = await cluster.Client.AppsV1.GetAPIResourcesAsync();
        var deployments = Assert.Single(resources.Resources, r => r.Name == "deployments");
        Assert.True(deployments.Namespaced);
        Assert.Equal("Deployment", deployments.Kind);
        Assert.Contains("deploy", deployments.ShortNames);
        Assert.Contains("all", deployments.Categories);
        Assert.Equal(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], deployments.Verbs.Order());
        var scale = Assert.Single(resources.Resources, r => r.Name == "deployments/scale");
        Assert.Equal("Scale", scale.Kind);
        Assert.Equal("autoscaling", scale.Group);
    }

    [Fact]
    public async Task aggregated_discovery_lists_groups_versions_and_resources_in_one_document()
    {
        var client = (Kubernetes)cluster.Client;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, "/apis"));
        request.Headers.TryAddWithoutValidation("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
        if (client.Credentials is not null) await client.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        using var response = await client.HttpClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Contains("as=APIGroupDiscoveryList", response.Content.Headers.ContentType!.ToString());
        var document = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("APIGroupDiscoveryList", document["kind"]!.GetValue<string>());
        var apps = document["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "deployments")!;
        Assert.Equal("Namespaced", deployments["scope"]!.GetValue<string>());
        Assert.Equal("Deployment", deployments["responseKind"]!["kind"]!.GetValue<string>());
        Assert.Contains(deployments["subresources"]!.AsArray(), s => s!["subresource"]!.GetValue<string>() == "scale");
    }

    [Fact]
    public async Task an_unknown_resource_of_a_served_group_is_a_404_status_the_server_could_not_find_the_requested_resource()
    {
        var error = await ApiError.From(() => cluster.Client.CustomObjects.ListClusterCustomObjectAsync("apps", "v1", "widgets"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.True(error.IsStatus);
        Assert.Equal("NotFound", error.Reason);
        Assert.Equal("the server could not find the requested resource", error.Message);
    }

    /// <summary>No API group claims the path, so the handler chain ends in Go's http.NotFound: plain text, no Status.</summary>
    [Fact]
    public async Task a_path_of_an_unknown_api_group_is_a_plain_text_404_page_not_found()
    {
        var error = await ApiError.From(() => cluster.Client.CustomObjects.ListClusterCustomObjectAsync("nothing.example.com", "v1", "widgets"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(error.IsStatus);
        Assert.Equal("404 page not found", error.Message.Trim());
    }

    [Fact]
    public async Task a_custom_resource_definition_makes_its_resource_discoverable_and_served()
    {
        var group = $"g{Guid.NewGuid().ToString("N")[..6]}.cocktail.example.com";
        var crd = new k8s.Models.V1CustomResourceDefinition
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = $"machinedeployments.{group}" },
            Spec = new k8s.Models.V1CustomResourceDefinitionSpec
            {
                Group = group,
                Scope = "Namespaced",
                Names = new k8s.Models.V1CustomResourceDefinitionNames { Plural = "machinedeployments", Singular = "machinedeployment", Kind = "MachineDeployment", ShortNames = ["md"] },
                Versions =
                [
                    new k8s.Models.V1CustomResourceDefinitionVersion
                    {
                        Name = "v1beta1", Served = true, Storage = true,
                        Schema = new k8s.Models.V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new k8s.Models.V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true },
                        },
                    },
                ],
            },
        };
        await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        try
        {
            await Eventually.Until(async () =>
                (await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name)).Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true);
            var ns = await cluster.NewNamespaceAsync("crd");
            var created = await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(new Dictionary<string, object>
            {
                ["apiVersion"] = $"{group}/v1beta1",
                ["kind"] = "MachineDeployment",
                ["metadata"] = new Dictionary<string, object> { ["name"] = "workers" },
                ["spec"] = new Dictionary<string, object> { ["replicas"] = 3 },
            }, group, "v1beta1", ns, "machinedeployments");
            Assert.Equal("workers", ((System.Text.Json.JsonElement)created).GetProperty("metadata").GetProperty("name").GetString());
            var list = (System.Text.Json.JsonElement)await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync(group, "v1beta1", ns, "machinedeployments");
            var item = Assert.Single(list.GetProperty("items").EnumerateArray());
            Assert.Equal("MachineDeployment", item.GetProperty("kind").GetString());
            Assert.Equal(3, item.GetProperty("spec").GetProperty("replicas").GetInt32());
        }
        finally
        {
            await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name);
        }
    }

    [Fact]
    public async Task custom_resources_are_pruned_to_their_structural_schema()
    {
        var group = $"p{Guid.NewGuid().ToString("N")[..6]}.cocktail.example.com";
        var crd = new k8s.Models.V1CustomResourceDefinition
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = $"gadgets.{group}" },
            Spec = new k8s.Models.V1CustomResourceDefinitionSpec
            {
                Group = group,
                Scope = "Namespaced",
                Names = new k8s.Models.V1CustomResourceDefinitionNames { Plural = "gadgets", Singular = "gadget", Kind = "Gadget" },
                Versions =
                [
                    new k8s.Models.V1CustomResourceDefinitionVersion
                    {
                        Name = "v1", Served = true, Storage = true,
                        Schema = new k8s.Models.V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new k8s.Models.V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, k8s.Models.V1JSONSchemaProps>
                                {
                                    ["spec"] = new() { Type = "object", Properties = new Dictionary<string, k8s.Models.V1JSONSchemaProps> { ["size"] = new() { Type = "integer" } } },
                                },
                            },
                        },
                    },
                ],
            },
        };
        await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        try
        {
            var ns = await cluster.NewNamespaceAsync("prune");
            var body = new Dictionary<string, object>
            {
                ["apiVersion"] = $"{group}/v1", ["kind"] = "Gadget",
                ["metadata"] = new Dictionary<string, object> { ["name"] = "g1", ["labels"] = new Dictionary<string, string> { ["kept"] = "yes" } },
                ["spec"] = new Dictionary<string, object> { ["size"] = 3, ["colour"] = "red" },
                ["extra"] = true,
            };
            await Eventually.Until(async () =>
            {
                try { await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, group, "v1", ns, "gadgets"); return true; }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return false; }
            }, because: "the CRD is established");
            var stored = (System.Text.Json.JsonElement)await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(group, "v1", ns, "gadgets", "g1");
            Assert.Equal(3, stored.GetProperty("spec").GetProperty("size").GetInt32());
            Assert.False(stored.GetProperty("spec").TryGetProperty("colour", out _));
            Assert.False(stored.TryGetProperty("extra", out _));
            Assert.Equal("yes", stored.GetProperty("metadata").GetProperty("labels").GetProperty("kept").GetString());
        }
        finally
        {
            await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name);
        }
    }
}
