using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Provisioning;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Provisioning;

/// <summary>
/// One host and four simulated clusters for the provisioning API: a management cluster with Cluster API, OpenStack
/// and EKS installed; one with only Cluster API's core CRDs; a registered cluster that is not a management cluster;
/// and a management cluster that stops answering in its test.
/// </summary>
public sealed class ProvisioningApp : CocktailApp, IAsyncLifetime
{
    public ProvisioningApp() => WithSetting("Cocktail:ImageScanning:Enabled", "false");

    public HttpClient Admin { get; private set; } = default!;
    public KubeSimCluster Management { get; private set; } = default!;
    public KubeSimCluster CoreOnly { get; private set; } = default!;
    public KubeSimCluster Plain { get; private set; } = default!;
    public KubeSimCluster Silent { get; private set; } = default!;
    public string ManagementId { get; private set; } = "";
    public string CoreOnlyId { get; private set; } = "";
    public string PlainId { get; private set; } = "";
    public string SilentId { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Admin = await AsAdminAsync();
        Management = await ClusterApp.StartClusterAsync(nodes: 1);
        CoreOnly = await ClusterApp.StartClusterAsync(nodes: 1);
        Plain = await ClusterApp.StartClusterAsync(nodes: 1);
        Silent = await ClusterApp.StartClusterAsync(nodes: 1);
        foreach (var project in new[] { SharedCrds.ClusterApi, SharedCrds.CapiOpenStack, SharedCrds.CapiAws })
        {
            await SharedCrds.InstallAsync(Management.Objects, project);
            await SharedCrds.InstallAsync(Silent.Objects, project);
        }
        await SharedCrds.InstallAsync(CoreOnly.Objects, SharedCrds.ClusterApi);
        ManagementId = await RegisterAsync(Management);
        CoreOnlyId = await RegisterAsync(CoreOnly);
        PlainId = await RegisterAsync(Plain);
        SilentId = await RegisterAsync(Silent);
        foreach (var id in new[] { ManagementId, CoreOnlyId, SilentId })
        {
            var enabled = await Admin.PostAsync($"/api/v1/clusters/{id}/cluster-api", null);
            if (!enabled.IsSuccessStatusCode) throw new InvalidOperationException($"enabling {id}: {(int)enabled.StatusCode} {await enabled.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<string> RegisterAsync(KubeSimCluster sim) => (string)(await ClusterApp.RegisterAsync(Admin, sim))["cluster"]!["id"]!;

    /// <summary>A provisioned cluster's stream as the reconciler leaves it once Cluster API reported it up (no management cluster behind it).</summary>
    public async Task<Guid> ProvisionedAsync(string version = "v1.32.4")
    {
        var id = Guid.CreateVersion7();
        var by = new ActorRef(Guid.NewGuid(), AdminUserName);
        var blueprint = ProvisioningApiTests.Blueprint("pc-" + Guid.NewGuid().ToString("N")[..8], version);
        var requested = ProvisionedCluster.Request(id, Guid.NewGuid(), "elsewhere", blueprint, [Infrastructure.OpenStack], true, by, DateTimeOffset.UtcNow, "test");
        if (requested.Error is { } error) throw new InvalidOperationException(error.Message);
        await using var session = Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<ProvisionedCluster>(id, [.. requested.Events, new ClusterProvisioned(id, blueprint.Name, version, DateTimeOffset.UtcNow)]);
        await session.SaveChangesAsync();
        return id;
    }

    public async Task<IReadOnlyList<object>> EventsAsync(Guid stream)
    {
        await using var session = Services.GetRequiredService<IDocumentStore>().QuerySession();
        return [.. (await session.Events.FetchStreamAsync(stream)).Select(e => e.Data)];
    }

    public async Task<bool> AnyRequestNamedAsync(string name)
    {
        await using var session = Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<ProvisionedClusterView>().AnyAsync(v => v.Name == name);
    }

    public new async Task DisposeAsync()
    {
        Admin?.Dispose();
        foreach (var sim in new[] { Management, CoreOnly, Plain, Silent })
            if (sim is not null) await sim.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class ProvisioningApiTests(ProvisioningApp app) : IClassFixture<ProvisioningApp>
{
    internal static ClusterBlueprint Blueprint(string name, string version = "v1.33.2") => new(
        name, "default", Infrastructure.OpenStack, version, new ControlPlaneSpec(3, "m1.large"),
        [new NodePoolSpec("workers", "m1.large", 2, 1, 3)], NetworkSpec.Default,
        new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = "cloud-config", ["image"] = "ubuntu-2404-kube-" + version });

    private static JsonObject Body(string managementClusterId, string name, Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["managementClusterId"] = managementClusterId, ["name"] = name, ["namespace"] = "default", ["infrastructure"] = "OpenStack",
            ["kubernetesVersion"] = "v1.33.2",
            ["controlPlane"] = new JsonObject { ["replicas"] = 3, ["machineType"] = "m1.large" },
            ["nodePools"] = new JsonArray(new JsonObject { ["name"] = "workers", ["machineType"] = "m1.large", ["replicas"] = 2, ["minSize"] = 1, ["maxSize"] = 3 }),
            ["network"] = new JsonObject { ["podCidrs"] = new JsonArray("192.168.0.0/16"), ["serviceCidrs"] = new JsonArray("10.128.0.0/12") },
            ["settings"] = new JsonObject { ["cloudName"] = "openstack", ["identitySecret"] = "cloud-config", ["image"] = "ubuntu-2404-kube-v1.33.2" },
            ["reason"] = "integration test",
        };
        change?.Invoke(body);
        return body;
    }

    private static string NewName() => "prod-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private static string[] Errors(JsonNode problem, string field) =>
        problem["errors"]?[field]?.AsArray().Select(e => (string)e!).ToArray() ?? throw new Xunit.Sdk.XunitException($"no error on '{field}': {problem.ToJsonString()}");

    [Fact]
    public async Task enabling_lists_exactly_the_installed_infrastructures_and_the_register_only_ones()
    {
        var response = await app.Admin.PostAsync($"/api/v1/clusters/{app.ManagementId}/cluster-api", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.BodyAsync();
        Assert.True((bool?)view["enabled"]);
        Assert.True((bool?)view["reachable"]);
        Assert.Equal(["OpenStack", "Eks"], view["infrastructures"]!.AsArray().Select(i => (string)i!["kind"]!));
        Assert.Equal("Flavor", (string?)view["infrastructures"]![0]!["machineTypeLabel"]);
        Assert.Equal(["Citrix Hypervisor (XenServer)", "NAVER Kubernetes Service (NKS)"], view["registerOnly"]!.AsArray().Select(r => (string)r!["displayName"]!));
        var vsphere = view["notInstalled"]!.AsArray().Single(i => (string?)i!["kind"] == "VSphere")!;
        Assert.Equal(["VSphereCluster.infrastructure.cluster.x-k8s.io", "VSphereMachineTemplate.infrastructure.cluster.x-k8s.io"],
            vsphere["missingCrds"]!.AsArray().Select(c => (string)c!));
        var cluster = await (await app.Admin.GetAsync($"/api/v1/clusters/{app.ManagementId}")).BodyAsync();
        Assert.True((bool?)cluster["cluster"]!["clusterApiManagement"]);
        Assert.Equal(["OpenStack", "Eks"], cluster["cluster"]!["clusterApiInfrastructures"]!.AsArray().Select(i => (string)i!));

        // Only Cluster API's core: a management cluster for ClusterClasses, with no infrastructure to offer.
        var core = await (await app.Admin.GetAsync($"/api/v1/clusters/{app.CoreOnlyId}/cluster-api")).BodyAsync();
        Assert.Empty(core["infrastructures"]!.AsArray());
        Assert.Equal(6, core["notInstalled"]!.AsArray().Count);

        // No Cluster API at all: refused on the cluster, nothing recorded.
        var plain = await ProblemAsync(await app.Admin.PostAsync($"/api/v1/clusters/{app.PlainId}/cluster-api", null), HttpStatusCode.BadRequest);
        Assert.Contains("not installed", Errors(plain, "clusterId")[0]);
        var plainView = await (await app.Admin.GetAsync($"/api/v1/clusters/{app.PlainId}/cluster-api")).BodyAsync();
        Assert.False((bool?)plainView["enabled"]);
    }

    [Fact]
    public async Task a_blueprint_with_several_problems_is_answered_with_each_field_and_nothing_is_recorded()
    {
        var body = Body(app.ManagementId, "Prod_EU", b =>
        {
            b["network"] = new JsonObject { ["podCidrs"] = new JsonArray("10.0.0.0/16"), ["serviceCidrs"] = new JsonArray("10.0.128.0/17") };
            b["nodePools"]![0]!["minSize"] = 5;
            b["nodePools"]![0]!["maxSize"] = 2;
        });

        var problem = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", body), HttpStatusCode.BadRequest);

        Assert.Contains("lowercase", Errors(problem, "name")[0]);
        Assert.Contains("overlaps 10.0.0.0/16", Errors(problem, "network.serviceCidrs[0]")[0]);
        Assert.Contains("above the maximum", Errors(problem, "nodePools[0].minSize")[0]);
        Assert.False(await app.AnyRequestNamedAsync("Prod_EU"));
        var preview = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters/preview", body), HttpStatusCode.BadRequest);
        Assert.Equal(["name", "network.serviceCidrs[0]", "nodePools[0].minSize"], preview["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task a_provider_not_installed_on_the_management_cluster_is_refused_on_the_infrastructure()
    {
        var name = NewName();

        var problem = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.CoreOnlyId, name)), HttpStatusCode.BadRequest);

        Assert.Contains("OpenStack provider is not installed", Errors(problem, "infrastructure")[0]);
        Assert.Contains("OpenStackCluster.infrastructure.cluster.x-k8s.io", Errors(problem, "infrastructure")[0]);
        Assert.False(await app.AnyRequestNamedAsync(name));
    }

    [Fact]
    public async Task a_cluster_not_enabled_for_cluster_api_or_unknown_is_refused_as_management_cluster()
    {
        var name = NewName();

        var notEnabled = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.PlainId, name)), HttpStatusCode.BadRequest);
        var unknown = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(Guid.NewGuid().ToString(), name)), HttpStatusCode.NotFound);

        Assert.Contains("not a Cluster API management cluster", Errors(notEnabled, "managementClusterId")[0]);
        Assert.Contains("No such management cluster", (string?)unknown["detail"]);
        Assert.False(await app.AnyRequestNamedAsync(name));
    }

    [Fact]
    public async Task an_unreachable_management_cluster_is_a_clear_503_and_nothing_is_recorded()
    {
        var name = NewName();
        await app.Silent.Faults.StopAnsweringAsync();
        try
        {
            var problem = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.SilentId, name)), HttpStatusCode.ServiceUnavailable);
            Assert.Contains($"'{app.Silent.Name}' cannot be reached", (string?)problem["detail"]);
            Assert.False(await app.AnyRequestNamedAsync(name));

            var view = await (await app.Admin.GetAsync($"/api/v1/clusters/{app.SilentId}/cluster-api")).BodyAsync();
            Assert.True((bool?)view["enabled"]);
            Assert.False((bool?)view["reachable"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)view["error"]));
        }
        finally
        {
            await app.Silent.Faults.ResumeAsync();
        }
    }

    [Fact]
    public async Task a_name_a_registered_cluster_has_is_a_409_on_the_name()
    {
        var problem = await ProblemAsync(await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.ManagementId, app.Plain.Name)), HttpStatusCode.Conflict);

        Assert.Contains("registered already", Errors(problem, "name")[0]);
    }

    [Fact]
    public async Task an_upgrade_skipping_two_minors_or_going_down_is_refused_on_the_version_and_nothing_is_recorded()
    {
        var id = await app.ProvisionedAsync("v1.32.4");
        var before = (await app.EventsAsync(id)).Count;

        var skip = await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.34.0" }), HttpStatusCode.BadRequest);
        var down = await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.31.9" }), HttpStatusCode.BadRequest);
        var garbage = await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "latest" }), HttpStatusCode.BadRequest);

        Assert.Contains("one minor version at a time", Errors(skip, "version")[0]);
        Assert.Contains("cannot be downgraded", Errors(down, "version")[0]);
        Assert.Contains("v1.33.2", Errors(garbage, "version")[0]);
        Assert.Equal(before, (await app.EventsAsync(id)).Count);

        var next = await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/upgrade", new { version = "v1.33.1", reason = "monthly" });
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        var events = await app.EventsAsync(id);
        var requested = Assert.Single(events.OfType<ClusterUpgradeRequested>());
        Assert.Equal(("v1.32.4", "v1.33.1", "monthly"), (requested.From, requested.To, requested.Reason));
    }

    [Fact]
    public async Task deleting_with_the_wrong_typed_name_is_refused_on_confirm_and_the_right_name_requests_deletion()
    {
        var id = await app.ProvisionedAsync();
        var name = ((ClusterProvisionRequested)(await app.EventsAsync(id))[0]).Blueprint.Name;

        var wrong = await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/delete", new { confirm = name + "x" }), HttpStatusCode.BadRequest);

        Assert.Contains($"'{name}'", Errors(wrong, "confirm")[0]);
        Assert.Empty((await app.EventsAsync(id)).OfType<ClusterDeletionRequested>());
        var right = await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/delete", new { confirm = name, reason = "decommissioned" });
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
        Assert.Single((await app.EventsAsync(id)).OfType<ClusterDeletionRequested>());
    }

    [Fact]
    public async Task pool_changes_outside_the_pools_rules_are_refused_on_their_field()
    {
        var id = await app.ProvisionedAsync();

        var scale = await ProblemAsync(await app.Admin.PutAsJsonAsync($"/api/v1/provisioned-clusters/{id}/node-pools/workers/replicas", new { replicas = 7 }), HttpStatusCode.BadRequest);
        var bounds = await ProblemAsync(await app.Admin.PutAsJsonAsync($"/api/v1/provisioned-clusters/{id}/node-pools/workers/autoscaling", new { minSize = 4, maxSize = 2 }), HttpStatusCode.BadRequest);
        var twice = await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{id}/node-pools", new { name = "workers", machineType = "m1.large", replicas = 1 }), HttpStatusCode.Conflict);
        var missing = await ProblemAsync(await app.Admin.DeleteAsync($"/api/v1/provisioned-clusters/{id}/node-pools/nope"), HttpStatusCode.NotFound);

        Assert.Contains("between 1 and 3", Errors(scale, "replicas")[0]);
        Assert.Contains("above the maximum", Errors(bounds, "minSize")[0]);
        Assert.Contains("'workers'", Errors(twice, "name")[0]);
        Assert.Contains("no node pool 'nope'", (string?)missing["detail"]);
        Assert.Equal(2, (await app.EventsAsync(id)).Count);

        var scaled = await app.Admin.PutAsJsonAsync($"/api/v1/provisioned-clusters/{id}/node-pools/workers/replicas", new { replicas = 3, reason = "load" });
        Assert.Equal(HttpStatusCode.Accepted, scaled.StatusCode);
        Assert.Equal(3, Assert.Single((await app.EventsAsync(id)).OfType<NodePoolScaled>()).To);
    }

    [Fact]
    public async Task unknown_ids_are_404_and_malformed_json_is_a_field_error_never_a_500()
    {
        var unknown = Guid.NewGuid();

        await ProblemAsync(await app.Admin.GetAsync($"/api/v1/provisioned-clusters/{unknown}"), HttpStatusCode.NotFound);
        await ProblemAsync(await app.Admin.PostAsJsonAsync($"/api/v1/provisioned-clusters/{unknown}/upgrade", new { version = "v1.34.0" }), HttpStatusCode.NotFound);
        await ProblemAsync(await app.Admin.GetAsync($"/api/v1/clusters/{unknown}/cluster-api"), HttpStatusCode.NotFound);
        await ProblemAsync(await app.Admin.PostAsync($"/api/v1/clusters/{unknown}/cluster-api", null), HttpStatusCode.NotFound);

        var wrongEnum = await ProblemAsync(await app.Admin.PostAsync("/api/v1/provisioned-clusters",
            new StringContent("""{"managementClusterId":"00000000-0000-0000-0000-000000000000","name":"x","infrastructure":"Citrix"}""", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        Assert.NotNull(wrongEnum["errors"]!["infrastructure"]);
        var wrongShape = await ProblemAsync(await app.Admin.PostAsync("/api/v1/provisioned-clusters/preview",
            new StringContent("""{"nodePools":"many"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.NotNull(wrongShape["errors"]!["nodePools"]);
        var empty = await ProblemAsync(await app.Admin.PostAsync("/api/v1/provisioned-clusters",
            new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.NotNull(empty["errors"]!["managementClusterId"]);
    }

    [Fact]
    public async Task only_platform_admins_provision_and_auditors_only_read()
    {
        var user = await app.CreateUserAsync("User");
        var auditor = await app.CreateUserAsync("Auditor");
        var name = NewName();

        await ProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.ManagementId, name)), HttpStatusCode.Forbidden);
        await ProblemAsync(await user.Client.GetAsync("/api/v1/provisioned-clusters"), HttpStatusCode.Forbidden);
        await ProblemAsync(await user.Client.PostAsync($"/api/v1/clusters/{app.ManagementId}/cluster-api", null), HttpStatusCode.Forbidden);
        await ProblemAsync(await auditor.Client.PostAsJsonAsync("/api/v1/provisioned-clusters", Body(app.ManagementId, name)), HttpStatusCode.Forbidden);
        await ProblemAsync(await auditor.Client.DeleteAsync($"/api/v1/clusters/{app.ManagementId}/cluster-api"), HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync("/api/v1/provisioned-clusters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync($"/api/v1/clusters/{app.ManagementId}/cluster-api")).StatusCode);
        Assert.False(await app.AnyRequestNamedAsync(name));
    }

    [Fact]
    public async Task the_preview_shows_the_cluster_and_its_control_plane_as_yaml_and_records_nothing()
    {
        var name = NewName();

        var response = await app.Admin.PostAsJsonAsync("/api/v1/provisioned-clusters/preview", Body(app.ManagementId, name));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var preview = JsonNode.Parse(text)!;
        var yaml = (string)preview["yaml"]!;
        Assert.Contains("kind: Cluster\n", yaml);
        Assert.Contains("kind: KubeadmControlPlane", yaml);
        Assert.Contains($"name: {name}", yaml);
        Assert.Contains($"Cluster/{name}", preview["objects"]!.AsArray().Select(o => (string)o!));
        Assert.False(await app.AnyRequestNamedAsync(name));
    }
}
