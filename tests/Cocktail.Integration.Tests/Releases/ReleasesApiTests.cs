using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Cocktail.Testing.Charts;

namespace Cocktail.Integration.Tests.Releases;

/// <summary>
/// One host, a chart repository serving the addons' charts (the addon repositories point at it, as a mirror would),
/// and two simulated clusters running Flux's source- and helm-controller.
/// </summary>
public sealed class ReleasesApp : CocktailApp, IAsyncLifetime
{
    public const string ReplicaSchema = """{"type":"object","properties":{"replicaCount":{"type":"integer","minimum":1},"crds":{"type":"object"}}}""";

    public ChartRepositoryServer Charts { get; private set; } = default!;
    public HttpClient Admin { get; private set; } = default!;
    public KubeSimCluster Main { get; private set; } = default!;
    public KubeSimCluster Second { get; private set; } = default!;
    public string MainId { get; private set; } = "";
    public string SecondId { get; private set; } = "";

    public static TestChart CertManager(string version) =>
        TestChart.WithConfigMap("cert-manager", version) with { Values = "replicaCount: 1\ncrds:\n  enabled: false\n", Schema = ReplicaSchema, AppVersion = version };

    public override async Task InitializeAsync()
    {
        Charts = await ChartRepositoryServer.StartAsync(
            CertManager("v1.14.5"), CertManager("v1.15.0"),
            new TestChart("kube-prometheus-stack", "66.3.1").WithTemplate("service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-prometheus-stack-prometheus\nspec:\n  ports:\n  - name: http-web\n    port: 9090\n    protocol: TCP\n  selector:\n    app.kubernetes.io/name: prometheus\n"),
            TestChart.WithConfigMap("podinfo", "6.5.0") with { Schema = ReplicaSchema, Values = "replicaCount: 1\n" });
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:Addons:Repositories:jetstack", Charts.Url);
        WithSetting("Cocktail:Addons:Repositories:prometheus-community", Charts.Url);
        WithSetting("Cocktail:Releases:Interval", "00:00:00.200");
        WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:02");
        await base.InitializeAsync();
        Admin = await AsAdminAsync();
        Main = await StartFluxClusterAsync();
        Second = await StartFluxClusterAsync();
        MainId = (string)(await ClusterApp.RegisterAsync(Admin, Main))["cluster"]!["id"]!;
        SecondId = (string)(await ClusterApp.RegisterAsync(Admin, Second))["cluster"]!["id"]!;
    }

    public static async Task<KubeSimCluster> StartFluxClusterAsync()
    {
        var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"flux-{Guid.NewGuid():N}"[..13], Nodes = 1, Flux = true });
        await SharedCrds.InstallFluxAsync(sim);
        return sim;
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Main.DisposeAsync();
        await Second.DisposeAsync();
        await Charts.DisposeAsync();
    }
}

public sealed class ReleasesApiTests(ReleasesApp app) : IClassFixture<ReleasesApp>
{
    private HttpClient Admin => app.Admin;

    private async Task<JsonNode> ReleaseAsync(string id) => await (await Admin.GetAsync($"/api/v1/releases/{id}")).BodyAsync();

    private async Task<JsonNode> WaitForAsync(string id, Func<JsonNode, bool> until, string because)
    {
        try { return await Eventually.GetAsync(() => ReleaseAsync(id), until, TimeSpan.FromSeconds(30), because); }
        catch (TimeoutException e)
        {
            // What Flux shows, to tell a release Cocktail did not write from one Flux did not act on.
            var flux = string.Join("\n", new[] { ("source.toolkit.fluxcd.io/v1", "HelmRepository"), ("source.toolkit.fluxcd.io/v1", "HelmChart"), ("helm.toolkit.fluxcd.io/v2", "HelmRelease") }
                .SelectMany(k => app.Main.Objects.List(k.Item1, k.Item2)).Select(o => $"{o["kind"]} {o["metadata"]!["namespace"]}/{o["metadata"]!["name"]}: {o["status"]?.ToJsonString()}"));
            throw new TimeoutException(e.Message[..Math.Min(600, e.Message.Length)] + "\n" + flux, e);
        }
    }

    private static string Status(JsonNode release) => (string?)release["release"]?["status"] ?? "";

    [Fact]
    public async Task an_addon_is_installed_changed_upgraded_rolled_back_and_uninstalled_through_flux()
    {
        var installed = await Admin.PostAsJsonAsync($"/api/v1/clusters/{app.MainId}/addons/cert-manager",
            new { version = "v1.14.5", values = "replicaCount: 2\ncrds:\n  enabled: true\n", reason = "tls for ingress" });
        Assert.Equal(HttpStatusCode.Accepted, installed.StatusCode);
        var id = (string)(await installed.BodyAsync())["id"]!;

        var deployed = await WaitForAsync(id, r => Status(r) == "Deployed", "cert-manager deployed");
        Assert.Equal("v1.14.5", (string?)deployed["release"]!["deployedVersion"]);
        var helmRelease = app.Main.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager")!;
        Assert.Equal(2, (int)helmRelease["spec"]!["values"]!["replicaCount"]!);
        Assert.Null(helmRelease["spec"]!["serviceAccountName"]);
        Assert.NotNull(app.Main.Objects.Get("v1", "ConfigMap", "cert-manager-config", "cert-manager"));
        var addons = await (await Admin.GetAsync($"/api/v1/clusters/{app.MainId}/addons")).BodyAsync();
        Assert.Equal(id, (string?)addons["addons"]!.AsArray().Single(a => (string?)a!["key"] == "cert-manager")!["release"]!["id"]);

        var changed = await Admin.PutAsJsonAsync($"/api/v1/releases/{id}/values", new { values = "replicaCount: 3\n", reason = "ha" });
        Assert.Equal(HttpStatusCode.Accepted, changed.StatusCode);
        await Eventually.TrueAsync(() => Task.FromResult(
            (int?)app.Main.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager")?["spec"]?["values"]?["replicaCount"] == 3),
            TimeSpan.FromSeconds(30), "the new values on the HelmRelease");
        var history = (await ReleaseAsync(id))["history"]!.AsArray();
        var valuesChange = history.First(h => (string?)h!["event"] == "values")!;
        Assert.Contains("replicaCount: 2", (string?)valuesChange["valuesBefore"], StringComparison.Ordinal);
        Assert.Equal("replicaCount: 3\n", (string?)valuesChange["valuesAfter"]);

        var upgraded = await Admin.PostAsJsonAsync($"/api/v1/releases/{id}/upgrade", new { version = "v1.15.0", reason = "new features" });
        Assert.Equal(HttpStatusCode.Accepted, upgraded.StatusCode);
        await WaitForAsync(id, r => (string?)r["release"]!["deployedVersion"] == "v1.15.0", "v1.15.0 deployed");

        var rolledBack = await Admin.PostAsJsonAsync($"/api/v1/releases/{id}/rollback", new { revision = 1, reason = "1.15 breaks webhooks" });
        Assert.Equal(HttpStatusCode.Accepted, rolledBack.StatusCode);
        var back = await WaitForAsync(id, r => (string?)r["release"]!["deployedVersion"] == "v1.14.5" && Status(r) == "Deployed", "v1.14.5 deployed again");
        Assert.Equal(4, (int)back["release"]!["revision"]!);
        Assert.Equal(2, (int)app.Main.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager")!["spec"]!["values"]!["replicaCount"]!);

        var fleet = await (await Admin.GetAsync("/api/v1/addons/cert-manager/fleet?below=1.15")).BodyAsync();
        Assert.Contains(fleet["clusters"]!.AsArray(), c => (string?)c!["releaseId"] == id);

        var uninstalled = await Admin.DeleteAsync($"/api/v1/releases/{id}?reason=moving+to+istio");
        Assert.Equal(HttpStatusCode.Accepted, uninstalled.StatusCode);
        await WaitForAsync(id, r => Status(r) == "Uninstalled", "uninstalled");
        Assert.Null(app.Main.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager"));
        Assert.Null(app.Main.Objects.Get("v1", "ConfigMap", "cert-manager-config", "cert-manager"));
    }

    [Fact]
    public async Task values_that_break_the_charts_schema_are_refused_with_their_path_and_nothing_is_applied()
    {
        var refused = await Admin.PostAsJsonAsync($"/api/v1/clusters/{app.SecondId}/addons/cert-manager",
            new { version = "v1.15.0", values = "replicaCount: zero\n" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.BodyAsync();
        Assert.NotNull(problem["errors"]!["values.replicaCount"]);
        var addons = await (await Admin.GetAsync($"/api/v1/clusters/{app.SecondId}/addons")).BodyAsync();
        Assert.Null(addons["addons"]!.AsArray().Single(a => (string?)a!["key"] == "cert-manager")!["release"]);
        Assert.Empty(app.Second.Objects.List("helm.toolkit.fluxcd.io/v2", "HelmRelease"));
    }

    [Fact]
    public async Task a_fleet_upgrade_moves_every_cluster_below_a_version_to_the_new_one_each_with_its_own_values()
    {
        await using var east = await ReleasesApp.StartFluxClusterAsync();
        await using var west = await ReleasesApp.StartFluxClusterAsync();
        var eastId = (string)(await ClusterApp.RegisterAsync(Admin, east))["cluster"]!["id"]!;
        var westId = (string)(await ClusterApp.RegisterAsync(Admin, west))["cluster"]!["id"]!;
        var ids = new List<string>();
        foreach (var (id, replicas) in new[] { (eastId, 2), (westId, 3) })
        {
            var installed = await Admin.PostAsJsonAsync($"/api/v1/clusters/{id}/addons/cert-manager", new { version = "v1.14.5", values = $"replicaCount: {replicas}\n" });
            Assert.Equal(HttpStatusCode.Accepted, installed.StatusCode);
            ids.Add((string)(await installed.BodyAsync())["id"]!);
        }
        foreach (var id in ids) await WaitForAsync(id, r => Status(r) == "Deployed", "v1.14.5 deployed");
        var only = new[] { Guid.Parse(eastId), Guid.Parse(westId) };

        // An unknown version is refused for the whole fleet, on its field, and nothing changes.
        var unknown = await Admin.PostAsJsonAsync("/api/v1/addons/cert-manager/fleet-upgrade", new { version = "v9.9.9", clusterIds = only });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull((await unknown.BodyAsync())["errors"]!["version"]);
        Assert.Equal("v1.14.5", (string?)east.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager")!["spec"]!["chart"]!["spec"]!["version"]);

        var fleet = await (await Admin.GetAsync("/api/v1/addons/cert-manager/fleet?below=1.15")).BodyAsync();
        Assert.Equal(2, fleet["clusters"]!.AsArray().Count(c => ids.Contains((string)c!["releaseId"]!)));

        var upgraded = await Admin.PostAsJsonAsync("/api/v1/addons/cert-manager/fleet-upgrade", new { version = "v1.15.0", below = "1.15", clusterIds = only, reason = "CVE in 1.14" });
        Assert.Equal(HttpStatusCode.OK, upgraded.StatusCode);
        var result = await upgraded.BodyAsync();
        Assert.Equal(2, result["upgrades"]!.AsArray().Count);
        Assert.Empty(result["skipped"]!.AsArray());

        foreach (var (sim, replicas) in new[] { (east, 2), (west, 3) })
        {
            var release = await sim.Objects.WaitForAsync("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cert-manager", "cert-manager",
                o => (string?)o["spec"]?["chart"]?["spec"]?["version"] == "v1.15.0", TimeSpan.FromSeconds(30));
            Assert.Equal(replicas, (int)release["spec"]!["values"]!["replicaCount"]!);
        }
        foreach (var id in ids)
        {
            var deployed = await WaitForAsync(id, r => (string?)r["release"]!["deployedVersion"] == "v1.15.0" && Status(r) == "Deployed", "v1.15.0 deployed");
            Assert.Contains(deployed["history"]!.AsArray(), h => (string?)h!["event"] == "upgrade" && (string?)h["chartVersion"] == "v1.15.0");
        }
        Assert.DoesNotContain((await (await Admin.GetAsync("/api/v1/addons/cert-manager/fleet?below=1.15")).BodyAsync())["clusters"]!.AsArray(),
            c => ids.Contains((string)c!["releaseId"]!));

        // Asked again: nothing to do, and the answer says why for each cluster.
        var again = await (await Admin.PostAsJsonAsync("/api/v1/addons/cert-manager/fleet-upgrade", new { version = "v1.15.0", clusterIds = only })).BodyAsync();
        Assert.Empty(again["upgrades"]!.AsArray());
        Assert.All(again["skipped"]!.AsArray(), s => Assert.Equal("It runs v1.15.0 already.", (string?)s!["reason"]));

        foreach (var id in ids) Assert.Equal(HttpStatusCode.Accepted, (await Admin.DeleteAsync($"/api/v1/releases/{id}")).StatusCode);
        foreach (var id in ids) await WaitForAsync(id, r => Status(r) == "Uninstalled", "uninstalled");
    }

    /// <summary>An install manifest as <c>flux install --export</c> lays it out: the CRDs of ../shared, the namespace, the controllers.</summary>
    private static string FluxInstallManifest()
    {
        var objects = SharedCrds.FluxProjects.SelectMany(SharedCrds.Load).Select(c => (JsonNode)c).ToList();
        objects.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "flux-system" } });
        foreach (var component in new[] { "source-controller", "helm-controller" })
        {
            objects.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = component, ["namespace"] = "flux-system" } });
            objects.Add(JsonNode.Parse("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%c%","namespace":"flux-system"},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"%c%"}},"template":{"metadata":{"labels":{"app":"%c%"}},
                 "spec":{"serviceAccountName":"%c%","containers":[{"name":"manager","image":"ghcr.io/fluxcd/%c%:v1"}]}}}}
                """.Replace("%c%", component))!);
        }
        // helm-controller acts as itself (cluster-admin) for a HelmRelease that names no service account, as flux install binds it.
        objects.Add(JsonNode.Parse("""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"cluster-reconciler-flux-system"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
             "subjects":[{"kind":"ServiceAccount","name":"helm-controller","namespace":"flux-system"}]}
            """)!);
        return string.Join("\n---\n", objects.Select(o => o.ToJsonString()));
    }

    [Fact]
    public async Task flux_missing_on_a_cluster_is_said_and_installed_from_the_admins_manifest_and_then_runs_addons()
    {
        await using var bare = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"noflux-{Guid.NewGuid():N}"[..13], Nodes = 1, Flux = true });
        var id = (string)(await ClusterApp.RegisterAsync(Admin, bare))["cluster"]!["id"]!;
        var before = await (await Admin.GetAsync($"/api/v1/clusters/{id}/flux")).BodyAsync();
        Assert.False((bool)before["installed"]!);
        Assert.Contains(before["missingCrds"]!.AsArray(), c => ((string?)c)!.StartsWith("HelmRelease", StringComparison.Ordinal));

        // A manifest that does not parse, or a URL that is not http(s): a field error, and nothing reaches the cluster.
        var broken = await Admin.PostAsJsonAsync($"/api/v1/clusters/{id}/flux", new { manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n---\nkind: [unclosed\n" });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.NotNull((await broken.BodyAsync())["errors"]!["manifest"]);
        var ftp = await Admin.PostAsJsonAsync($"/api/v1/clusters/{id}/flux", new { url = "ftp://example.com/install.yaml" });
        Assert.Equal(HttpStatusCode.BadRequest, ftp.StatusCode);
        Assert.NotNull((await ftp.BodyAsync())["errors"]!["url"]);
        Assert.Null(bare.Objects.Get("v1", "Namespace", "flux-system"));

        var installed = await Admin.PostAsJsonAsync($"/api/v1/clusters/{id}/flux", new { manifest = FluxInstallManifest(), reason = "addons" });
        Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        var deployment = bare.Objects.Get("apps/v1", "Deployment", "helm-controller", "flux-system")!;
        Assert.Contains(deployment["metadata"]!["managedFields"]!.AsArray(), f => (string?)f!["manager"] == "cocktail" && (string?)f["operation"] == "Apply");
        await Eventually.GetAsync(async () => await (await Admin.GetAsync($"/api/v1/clusters/{id}/flux")).BodyAsync(),
            f => (bool)f["installed"]! && (bool)f["ready"]!, TimeSpan.FromSeconds(30), "Flux installed and its controllers ready");

        var addon = await Admin.PostAsJsonAsync($"/api/v1/clusters/{id}/addons/cert-manager", new { version = "v1.14.5" });
        Assert.Equal(HttpStatusCode.Accepted, addon.StatusCode);
        var releaseId = (string)(await addon.BodyAsync())["id"]!;
        await Eventually.GetAsync(() => ReleaseAsync(releaseId), r => Status(r) == "Deployed", TimeSpan.FromSeconds(30), "cert-manager deployed by the Flux Cocktail installed");
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.DeleteAsync($"/api/v1/releases/{releaseId}")).StatusCode);
        await Eventually.GetAsync(() => ReleaseAsync(releaseId), r => Status(r) == "Uninstalled", TimeSpan.FromSeconds(30), "uninstalled");
    }

    [Fact]
    public async Task an_unknown_chart_version_is_a_field_error_on_the_version()
    {
        var refused = await Admin.PostAsJsonAsync($"/api/v1/clusters/{app.SecondId}/addons/cert-manager", new { version = "v9.9.9" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.BodyAsync())["errors"]!["version"]!.AsArray();
        Assert.Contains("has no version v9.9.9", (string?)errors[0], StringComparison.Ordinal);
        Assert.Empty(app.Second.Objects.List("helm.toolkit.fluxcd.io/v2", "HelmRelease"));
    }

    [Fact]
    public async Task kube_prometheus_stack_makes_the_clusters_prometheus_found_by_monitoring()
    {
        var installed = await Admin.PostAsJsonAsync($"/api/v1/clusters/{app.MainId}/addons/kube-prometheus-stack", new { reason = "monitoring" });
        Assert.Equal(HttpStatusCode.Accepted, installed.StatusCode);

        var monitoring = await Eventually.GetAsync(async () => await (await Admin.GetAsync($"/api/v1/clusters/{app.MainId}/monitoring")).BodyAsync(),
            m => m["detected"] is JsonObject, TimeSpan.FromSeconds(40), "Prometheus detected");

        Assert.Equal(("monitoring", "kube-prometheus-stack-prometheus", 9090),
            ((string?)monitoring["detected"]!["serviceNamespace"], (string?)monitoring["detected"]!["serviceName"], (int)monitoring["detected"]!["servicePort"]!));
    }

    [Fact]
    public async Task a_team_installs_a_chart_into_its_service_map_as_its_namespaces_account_and_not_into_another_workspaces()
    {
        var a = await Tenancy.Tenancy.CreateAsync(app, sim: app.Main, clusterId: app.MainId);
        var b = await Tenancy.Tenancy.CreateAsync(app, sim: app.Main, clusterId: app.MainId);
        var aMap = await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, "team-a-" + Guid.NewGuid().ToString("N")[..6]);
        var bMap = await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "team-b-" + Guid.NewGuid().ToString("N")[..6]);
        var ns = (string)aMap["namespace"]!;

        var foreign = await a.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/releases",
            new { serviceMapId = (string)bMap["id"]!, repository = "jetstack", chart = "podinfo", version = "6.5.0" });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        var installed = await a.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/releases",
            new { serviceMapId = (string)aMap["id"]!, repository = "jetstack", chart = "podinfo", version = "6.5.0", values = "replicaCount: 2\n" });
        Assert.Equal(HttpStatusCode.Accepted, installed.StatusCode);
        var id = (string)(await installed.BodyAsync())["id"]!;

        var release = await Eventually.GetAsync(async () => await (await a.Viewer.Client.GetAsync($"/api/v1/releases/{id}")).BodyAsync(),
            r => Status(r) == "Deployed", TimeSpan.FromSeconds(30), "podinfo deployed");
        Assert.Equal(ns, (string?)release["release"]!["namespace"]);
        var helmRelease = app.Main.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "podinfo", ns)!;
        Assert.Equal("cocktail-helm", (string?)helmRelease["spec"]!["serviceAccountName"]);
        var binding = app.Main.Objects.Get("rbac.authorization.k8s.io/v1", "RoleBinding", "cocktail-helm", ns)!;
        Assert.Equal("admin", (string?)binding["roleRef"]!["name"]);
        Assert.NotNull(app.Main.Objects.Get("v1", "ConfigMap", "podinfo-config", ns));
        Assert.Empty(app.Main.Objects.List("helm.toolkit.fluxcd.io/v2", "HelmRelease", (string)bMap["namespace"]!));

        Assert.Equal(HttpStatusCode.NotFound, (await b.WorkspaceAdmin.Client.GetAsync($"/api/v1/releases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/releases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Viewer.Client.DeleteAsync($"/api/v1/releases/{id}")).StatusCode);
        var listed = await (await a.Viewer.Client.GetAsync($"/api/v1/workspaces/{a.WorkspaceId}/releases")).BodyAsync();
        Assert.Equal(id, (string?)listed.AsArray().Single()!["id"]);
    }
}
