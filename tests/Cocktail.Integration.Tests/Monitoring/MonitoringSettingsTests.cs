using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Monitoring;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>GET/PUT /api/v1/clusters/{id}/monitoring: where the cluster's Prometheus is, for admins to set and members to read.</summary>
[Collection(ClustersCollection.Name)]
public sealed class MonitoringSettingsTests(ClusterApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var sim in _clusters) await sim.DisposeAsync();
    }

    async Task<(Guid Id, HttpClient Admin)> RegisteredAsync()
    {
        var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        _clusters.Add(sim);
        var admin = await app.AsAdminAsync();
        var body = await ClusterApp.RegisterAsync(admin, sim);
        return (Guid.Parse((string)body["cluster"]!["id"]!), admin);
    }

    readonly List<Cocktail.KubeSim.KubeSimCluster> _clusters = [];

    [Fact]
    public async Task a_direct_url_with_a_bearer_token_is_saved_and_read_back_without_the_token()
    {
        var (id, admin) = await RegisteredAsync();
        var token = TestSecrets.Remember($"prom-token-{Guid.NewGuid():N}");

        var put = await admin.PutAsJsonAsync($"/api/v1/clusters/{id}/monitoring", new
        {
            source = "DirectUrl", url = "https://prometheus.example.com:9090/", auth = "Bearer", bearerToken = token,
        });
        var putText = await put.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.DoesNotContain(token, putText);

        var get = await admin.GetAsync($"/api/v1/clusters/{id}/monitoring");
        var text = await get.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, text);
        var settings = JsonNode.Parse(text)!;
        Assert.True((bool)settings["configured"]!);
        Assert.Equal("DirectUrl", (string)settings["source"]!);
        Assert.Equal("https://prometheus.example.com:9090", (string)settings["url"]!);
        Assert.Equal("Bearer", (string)settings["auth"]!);
        Assert.True((bool)settings["hasBearerToken"]!);
        Assert.False((bool)settings["hasCaCertificate"]!);
        Assert.Equal("admin", (string)settings["configuredBy"]!);

        // Changing the URL without repeating the token keeps the stored one.
        var again = await admin.PutAsJsonAsync($"/api/v1/clusters/{id}/monitoring", new
        {
            source = "DirectUrl", url = "https://prometheus.example.com:9443", auth = "Bearer",
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((bool)(await again.BodyAsync())["hasBearerToken"]!);
        var audit = await (await admin.GetAsync($"/api/v1/audit/events?search={Uri.EscapeDataString("Prometheus")}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, audit);
    }

    [Theory]
    [InlineData("""{}""", "source")]
    [InlineData("""{"source":"Somewhere"}""", "source")]
    [InlineData("""{"source":"ServiceProxy","serviceName":"prometheus-operated","servicePort":9090}""", "serviceNamespace")]
    [InlineData("""{"source":"ServiceProxy","serviceNamespace":"Monitoring!","serviceName":"prometheus-operated","servicePort":9090}""", "serviceNamespace")]
    [InlineData("""{"source":"ServiceProxy","serviceNamespace":"monitoring","serviceName":"prometheus-operated"}""", "servicePort")]
    [InlineData("""{"source":"ServiceProxy","serviceNamespace":"monitoring","serviceName":"prometheus-operated","servicePort":70000}""", "servicePort")]
    [InlineData("""{"source":"ServiceProxy","serviceNamespace":"monitoring","serviceName":"p","servicePort":9090,"serviceScheme":"ftp"}""", "serviceScheme")]
    [InlineData("""{"source":"ServiceProxy","serviceNamespace":"monitoring","serviceName":"p","servicePort":9090,"bearerToken":"x"}""", "bearerToken")]
    [InlineData("""{"source":"DirectUrl"}""", "url")]
    [InlineData("""{"source":"DirectUrl","url":"ftp://prom:9090"}""", "url")]
    [InlineData("""{"source":"DirectUrl","url":"https://user:pw@prom:9090"}""", "url")]
    [InlineData("""{"source":"DirectUrl","url":"https://prom:9090","auth":"Basic","password":"pw"}""", "username")]
    [InlineData("""{"source":"DirectUrl","url":"https://prom:9090","auth":"Bearer"}""", "bearerToken")]
    [InlineData("""{"source":"DirectUrl","url":"https://prom:9090","auth":"Basic","username":"u"}""", "password")]
    [InlineData("""{"source":"DirectUrl","url":"https://prom:9090","auth":"Kerberos"}""", "auth")]
    [InlineData("""{"source":"DirectUrl","url":"https://prom:9090","caCertificate":"not a certificate"}""", "caCertificate")]
    public async Task settings_that_are_not_whole_get_400_on_the_field_and_change_nothing(string body, string field)
    {
        var (id, admin) = await RegisteredAsync();

        var response = await admin.PutAsync($"/api/v1/clusters/{id}/monitoring", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.BodyAsync();
        Assert.NotNull(problem["errors"]?[field]);
        Assert.False((bool)(await (await admin.GetAsync($"/api/v1/clusters/{id}/monitoring")).BodyAsync())["configured"]!);
    }

    [Fact]
    public async Task members_who_see_the_cluster_read_the_settings_others_get_404_and_only_platform_admins_change_them()
    {
        await using var tenancy = await Cocktail.Integration.Tests.Tenancy.Tenancy.CreateAsync(app);
        var id = tenancy.ClusterId;
        var put = await tenancy.Admin.PutAsJsonAsync($"/api/v1/clusters/{id}/monitoring", new
        {
            source = "ServiceProxy", serviceNamespace = "monitoring", serviceName = "prometheus-operated", servicePort = 9090,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var read = await (await tenancy.Viewer.Client.GetAsync($"/api/v1/clusters/{id}/monitoring")).BodyAsync();
        Assert.Equal("prometheus-operated", (string)read["serviceName"]!);
        var outsider = await app.CreateUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync($"/api/v1/clusters/{id}/monitoring")).StatusCode);
        var change = new { source = "None" };
        Assert.Equal(HttpStatusCode.Forbidden, (await tenancy.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/clusters/{id}/monitoring", change)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenancy.WorkspaceAdmin.Client.PostAsync($"/api/v1/clusters/{id}/monitoring/test", null)).StatusCode);
        var cleared = await tenancy.Admin.PutAsJsonAsync($"/api/v1/clusters/{id}/monitoring", change);
        Assert.False((bool)(await cleared.BodyAsync())["configured"]!);
    }

    [SkippableFact]
    public async Task a_prometheus_operated_service_on_the_cluster_is_offered_while_no_location_is_set()
    {
        Skip.IfNot(PrometheusServer.Available, PrometheusServer.MissingReason);
        await using var monitored = await MonitoredCluster.StartAsync(app, options: new MonitoredClusterOptions { ConfigureMonitoring = false });
        using var admin = await app.AsAdminAsync();

        var settings = await ClusterApp.WaitForAsync(admin, $"/api/v1/clusters/{monitored.ClusterId}/monitoring",
            s => s["detected"] is JsonObject, "the inventory to see the prometheus-operated Service");

        Assert.False((bool)settings["configured"]!);
        Assert.Equal("monitoring", (string)settings["detected"]!["serviceNamespace"]!);
        Assert.Equal("prometheus-operated", (string)settings["detected"]!["serviceName"]!);
        Assert.Equal(9090, (int)settings["detected"]!["servicePort"]!);
    }
}
