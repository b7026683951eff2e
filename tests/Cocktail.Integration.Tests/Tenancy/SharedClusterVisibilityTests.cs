using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// On a shared cluster a member sees their own workspaces' namespaces and nothing of the other teams (nodes as
/// capacity only); a cluster dedicated to their workspace is theirs in full. Users are listed in full only to
/// admins and auditors, and auditors change nothing.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class SharedClusterVisibilityTests(TenancyApp app)
{
    [Fact]
    public async Task a_member_sees_only_their_own_namespaces_pods_and_events_on_a_shared_cluster()
    {
        await using var a = await Tenancy.CreateAsync(app);
        await using var b = await Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var aMap = await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, "alpha-" + Guid.NewGuid().ToString("N")[..6]);
        var bMap = await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "bravo-" + Guid.NewGuid().ToString("N")[..6]);
        var aNs = (string)aMap["namespace"]!;
        var bNs = (string)bMap["namespace"]!;
        await a.WaitForStatusAsync((string)aMap["id"]!, "Ready");
        await b.WaitForStatusAsync((string)bMap["id"]!, "Ready");
        using var kube = a.Kube();
        await kube.CoreV1.CreateNamespacedPodAsync(Pod("secret-job", "registry.example.com/bravo/secret:1"), bNs);
        await kube.CoreV1.CreateNamespacedPodAsync(Pod("own-job", "registry.example.com/alpha/app:1"), aNs);
        var cluster = $"/api/v1/clusters/{a.ClusterId}";
        await ClusterApp.WaitForAsync(a.Admin, $"{cluster}/pods?pageSize=500",
            p => p.ToJsonString().Contains("secret-job") && p.ToJsonString().Contains("own-job"), "the inventory to see both pods");

        var namespaces = await GetAsync(a.Developer.Client, $"{cluster}/namespaces?pageSize=500");
        var pods = await GetAsync(a.Developer.Client, $"{cluster}/pods?pageSize=500");
        var foreignPods = await GetAsync(a.Developer.Client, $"{cluster}/pods?namespace={bNs}");
        var workloads = await GetAsync(a.Viewer.Client, $"{cluster}/workloads?namespace={bNs}");
        var services = await GetAsync(a.Viewer.Client, $"{cluster}/services?pageSize=500");
        var events = await GetAsync(a.Developer.Client, $"{cluster}/events?pageSize=500");
        var nodes = await GetAsync(a.Developer.Client, $"{cluster}/nodes");

        Assert.Equal([aNs], Names(namespaces));
        Assert.Equal(["own-job"], Names(pods));
        Assert.Empty(foreignPods["items"]!.AsArray());
        Assert.Empty(workloads["items"]!.AsArray());
        Assert.All(services["items"]!.AsArray(), s => Assert.Equal(aNs, (string?)s!["namespace"]));
        Assert.All(events["items"]!.AsArray(), e => Assert.Equal(aNs, (string?)e!["namespace"]));
        foreach (var page in new[] { namespaces, pods, foreignPods, workloads, services, events, nodes })
        {
            Assert.DoesNotContain(bNs, page.ToJsonString());
            Assert.DoesNotContain("bravo/secret", page.ToJsonString());
            Assert.DoesNotContain("kube-system", page.ToJsonString());
        }
        Assert.Equal(2, nodes["items"]!.AsArray().Count);
        Assert.All(nodes["items"]!.AsArray(), n => Assert.Empty(n!["labels"]!.AsObject()));
        var everything = await GetAsync(a.Admin, $"{cluster}/namespaces?pageSize=500");
        Assert.Contains(bNs, Names(everything));
        Assert.Contains("kube-system", Names(everything));
    }

    [Fact]
    public async Task a_member_sees_a_cluster_dedicated_to_their_workspace_in_full()
    {
        await using var t = await Tenancy.CreateAsync(app, mode: "Dedicated");
        var namespaces = await ClusterApp.WaitForAsync(t.Developer.Client, $"/api/v1/clusters/{t.ClusterId}/namespaces?pageSize=500",
            n => Names(n).Contains("kube-system"), "the dedicated cluster's namespaces");
        var nodes = await GetAsync(t.Developer.Client, $"/api/v1/clusters/{t.ClusterId}/nodes");

        Assert.Contains("default", Names(namespaces));
        Assert.Contains(nodes["items"]!.AsArray(), n => n!["labels"]!.AsObject().Count > 0);
    }

    [Fact]
    public async Task members_find_colleagues_by_name_but_only_admins_and_auditors_list_users_with_roles_and_lock_state()
    {
        var member = await app.CreateUserAsync();
        var colleague = await app.CreateUserAsync();
        var auditor = await app.CreateUserAsync("Auditor");

        var list = await member.Client.GetAsync("/api/v1/users");
        var other = await member.Client.GetAsync($"/api/v1/users/{colleague.Id}");
        var found = await member.Client.GetAsync($"/api/v1/users/search?search={colleague.UserName[2..]}");
        var tooShort = await (await member.Client.GetAsync("/api/v1/users/search?search=u")).BodyAsync();

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync($"/api/v1/users/{member.Id}")).StatusCode);
        var match = (await found.BodyAsync()).AsArray().Single()!.AsObject();
        Assert.Equal(["displayName", "id", "userName"], match.Select(p => p.Key).Order());
        Assert.Equal(colleague.UserName, (string?)match["userName"]);
        Assert.Empty(tooShort.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync($"/api/v1/users/{colleague.Id}")).StatusCode);
    }

    [Fact]
    public async Task an_auditor_reads_everything_and_every_write_is_refused_with_403()
    {
        await using var t = await Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "audited");
        var auditor = await app.CreateUserAsync("Auditor");
        await t.Admin.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/members", new { userId = auditor.Id, role = "WorkspaceAdmin" });

        var request = await auditor.Client.PostAsJsonAsync("/api/v1/access-requests", new
        {
            clusterId = t.ClusterId, scope = "Cluster", role = "view", durationHours = 8, reason = "look around",
        });
        var quota = await auditor.Client.PostAsJsonAsync("/api/v1/quota-requests", new
        {
            workspaceId = t.WorkspaceId, clusterId = t.ClusterId, quota = new { cpu = "8" }, reason = "more",
        });
        var settings = await auditor.Client.PatchAsJsonAsync($"/api/v1/service-maps/{map["id"]}", new { name = "renamed" });
        var token = await auditor.Client.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "ci", expiresInDays = 1 });

        Assert.Equal(HttpStatusCode.Forbidden, request.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, quota.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, settings.StatusCode);
        Assert.Equal(HttpStatusCode.Created, token.StatusCode); // their own credential to read the API with
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync($"/api/v1/service-maps/{map["id"]}")).StatusCode);
        var requests = await (await t.Admin.GetAsync("/api/v1/access-requests?pageSize=500")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("look around", requests);
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    private static List<string> Names(JsonNode page) => page["items"]!.AsArray().Select(i => (string)i!["name"]!).Order().ToList();

    private static V1Pod Pod(string name, string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main", Image = image,
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") } },
            }],
        },
    };
}
