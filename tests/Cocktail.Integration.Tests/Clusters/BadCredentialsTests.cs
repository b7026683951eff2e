using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Clusters;

/// <summary>Registration connects first: each way of failing gets its own clear error, and nothing is registered.</summary>
[Collection(ClustersCollection.Name)]
public sealed class BadCredentialsTests(ClusterApp app)
{
    [Fact]
    public async Task a_token_the_cluster_refuses_gives_400_saying_401_and_registers_nothing()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        var (status, field, message) = await RegisterAsync(sim.Name, sim.Server, sim.CaData, "not-a-valid-token");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("credentials", field);
        Assert.Contains("401", message);
        await AssertNothingRegisteredAsync(sim.Name);
    }

    [Fact]
    public async Task a_token_without_permission_to_read_nodes_gives_400_saying_403()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        var token = sim.IssueToken("nobody", ["system:authenticated"]);

        var (status, field, message) = await RegisterAsync(sim.Name, sim.Server, sim.CaData, token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("credentials", field);
        Assert.Contains("403", message);
        await AssertNothingRegisteredAsync(sim.Name);
    }

    [Fact]
    public async Task an_unreachable_server_gives_400_on_the_server_field()
    {
        var closedPort = ClosedPort();
        var (status, field, message) = await RegisterAsync("unreachable-one", $"https://127.0.0.1:{closedPort}", null, "token");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("server", field);
        Assert.Contains("connection refused", message);
        await AssertNothingRegisteredAsync("unreachable-one");
    }

    [Fact]
    public async Task a_ca_that_did_not_sign_the_server_certificate_gives_a_tls_error()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        await using var other = await ClusterApp.StartClusterAsync();

        var (status, field, message) = await RegisterAsync(sim.Name, sim.Server, other.CaData, sim.AdminToken);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("certificateAuthorityData", field);
        Assert.Contains("TLS", message);
        await AssertNothingRegisteredAsync(sim.Name);
    }

    [Theory]
    [InlineData("""{"name":"x1","provider":"EKS"}""", "kubeconfig")]
    [InlineData("""{"name":"x1","provider":"Mainframe","kubeconfig":"a"}""", "provider")]
    [InlineData("""{"name":"Not_DNS","provider":"EKS","kubeconfig":"a"}""", "name")]
    [InlineData("""{"name":"x1","provider":"EKS","server":"http://10.0.0.1","token":"t"}""", "server")]
    [InlineData("""{"name":"x1","provider":"EKS","server":"https://10.0.0.1"}""", "token")]
    [InlineData("""{"name":"x1","provider":"EKS","kubeconfig":"::: not yaml :::"}""", "kubeconfig")]
    [InlineData("""{"name":"x1","provider":"EKS","kubeconfig":"apiVersion: v1\nkind: Config\ncontexts: []"}""", "kubeconfig")]
    [InlineData("""{"name":"x1","provider":"EKS","labels":{"bad key!":"v"},"kubeconfig":"a"}""", "labels")]
    public async Task invalid_registrations_get_400_on_the_field(string body, string field)
    {
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostRawAsync("/api/v1/clusters", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.BodyAsync())["errors"]![field]);
    }

    [Fact]
    public async Task an_exec_plugin_kubeconfig_is_refused_with_the_reason()
    {
        using var admin = await app.AsAdminAsync();
        const string kubeconfig = """
            apiVersion: v1
            kind: Config
            current-context: eks
            clusters: [{name: eks, cluster: {server: "https://example.eks.amazonaws.com"}}]
            users: [{name: eks, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token]}}}]
            contexts: [{name: eks, context: {cluster: eks, user: eks}}]
            """;

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = "eks-exec", provider = "EKS", kubeconfig });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'aws'", (string?)(await response.BodyAsync())["errors"]!["kubeconfig"]![0]);
    }

    private async Task<(HttpStatusCode Status, string? Field, string Message)> RegisterAsync(string name, string server, string? ca, string token)
    {
        using var admin = await app.AsAdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new { name, provider = "BareMetal", server, certificateAuthorityData = ca, token });
        var body = await response.BodyAsync();
        var errors = body["errors"]?.AsObject();
        var first = errors?.FirstOrDefault();
        return (response.StatusCode, first?.Key, (string?)first?.Value?[0] ?? (string?)body["detail"] ?? "");
    }

    private async Task AssertNothingRegisteredAsync(string name)
    {
        using var admin = await app.AsAdminAsync();
        var list = await (await admin.GetAsync($"/api/v1/clusters?search={name}")).BodyAsync();
        Assert.DoesNotContain(list["items"]!.AsArray(), c => (string?)c!["cluster"]!["name"] == name);
        var events = await (await admin.GetAsync("/api/v1/audit/events?type=ClusterRegistered&pageSize=500")).BodyAsync();
        Assert.DoesNotContain(events["items"]!.AsArray(), e => (string?)e!["data"]!["name"] == name);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
