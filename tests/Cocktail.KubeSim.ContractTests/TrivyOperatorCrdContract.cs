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
/// The Trivy Operator's VulnerabilityReport CRD, installed from the operator's own YAML as its chart would, is served
/// like any custom resource: 404 before, then created, listed cluster-wide in pages and pruned by its structural schema.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class TrivyOperatorCrdContract(ClusterUnderTest cluster)
{
    const string Group = "aquasecurity.github.io";
    const string Plural = "vulnerabilityreports";
    IKubernetes Client => cluster.Client;

    static JsonObject Report(string name, string digest) => new()
    {
        ["apiVersion"] = $"{Group}/v1alpha1", ["kind"] = "VulnerabilityReport",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["trivy-operator.resource.kind"] = "ReplicaSet", ["trivy-operator.resource.name"] = "web-5d9c", ["trivy-operator.container.name"] = "web" },
        },
        ["report"] = new JsonObject
        {
            ["updateTimestamp"] = "2026-01-10T08:00:00Z",
            ["artifact"] = new JsonObject { ["repository"] = "library/nginx", ["tag"] = "1.27", ["digest"] = digest },
            ["registry"] = new JsonObject { ["server"] = "index.docker.io" },
            ["scanner"] = new JsonObject { ["name"] = "Trivy", ["vendor"] = "Aqua Security", ["version"] = "0.57.1" },
            ["os"] = new JsonObject { ["family"] = "debian", ["name"] = "12.8" },
            ["summary"] = new JsonObject { ["criticalCount"] = 1, ["highCount"] = 0, ["mediumCount"] = 0, ["lowCount"] = 0, ["unknownCount"] = 0, ["noneCount"] = 0 },
            ["vulnerabilities"] = new JsonArray(new JsonObject
            {
                ["vulnerabilityID"] = "CVE-2024-45491", ["resource"] = "libexpat1", ["installedVersion"] = "2.5.0-1", ["fixedVersion"] = "2.5.0-1+deb12u1",
                ["severity"] = "CRITICAL", ["title"] = "libexpat: Integer Overflow", ["primaryLink"] = "https://avd.aquasec.com/nvd/cve-2024-45491",
                        ["publishedDate"] = "2024-08-30T03:15:03Z", ["lastModifiedDate"] = "2024-09-04T14:28:33Z", // required by the CRD
                ["score"] = 9.8, ["notDeclaredByTheCrd"] = "pruned",
            }),
        },
    };

    [Fact]
    public async Task the_vulnerability_report_crd_from_the_operator_yaml_serves_reports_listed_cluster_wide_and_pruned_by_its_schema()
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(SharedCrds.Read(SharedCrds.TrivyOperator, SharedCrds.VulnerabilityReports));
        var installedBefore = (await Client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items.Any(c => c.Metadata.Name == crd.Metadata.Name);
        if (!installedBefore)
        {
            // A cluster without the operator: the group is not served (what Cocktail's feed takes as "no operator here").
            var absent = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CustomObjects.ListClusterCustomObjectAsync(Group, "v1alpha1", Plural));
            Assert.Equal(HttpStatusCode.NotFound, absent.Response.StatusCode);
            await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
        try
        {
            await Eventually.Get(() => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name),
                c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true);
            var ns = await cluster.NewNamespaceAsync("vulns");
            var digest = "sha256:" + new string('a', 64);
            await Eventually.Get(async () =>
            {
                try { await Client.CustomObjects.CreateNamespacedCustomObjectAsync(Report("replicaset-web-5d9c-web", digest), Group, "v1alpha1", ns, Plural); return true; }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return false; } // discovery catching up
            }, created => created);
            await Client.CustomObjects.CreateNamespacedCustomObjectAsync(Report("replicaset-api-7f8d-api", "sha256:" + new string('b', 64)), Group, "v1alpha1", ns, Plural);

            var first = await Client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, "v1alpha1", Plural, limit: 1, labelSelector: null);
            Assert.Equal(JsonValueKind.String, first.GetProperty("metadata").GetProperty("continue").ValueKind);
            var all = await Client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, "v1alpha1", Plural);
            var ours = all.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("metadata").GetProperty("namespace").GetString() == ns).ToList();
            Assert.Equal(2, ours.Count);
            var web = ours.Single(i => i.GetProperty("metadata").GetProperty("name").GetString() == "replicaset-web-5d9c-web");
            Assert.Equal("VulnerabilityReport", web.GetProperty("kind").GetString());
            Assert.Equal(digest, web.GetProperty("report").GetProperty("artifact").GetProperty("digest").GetString());
            Assert.Equal("ReplicaSet", web.GetProperty("metadata").GetProperty("labels").GetProperty("trivy-operator.resource.kind").GetString());
            var finding = web.GetProperty("report").GetProperty("vulnerabilities")[0];
            Assert.Equal(("CVE-2024-45491", "2.5.0-1+deb12u1"), (finding.GetProperty("vulnerabilityID").GetString(), finding.GetProperty("fixedVersion").GetString()));
            Assert.False(finding.TryGetProperty("notDeclaredByTheCrd", out _), "fields the CRD does not declare are pruned");
        }
        finally
        {
            if (!installedBefore) await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name);
        }
    }
}
