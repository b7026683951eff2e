using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// The API server's service proxy, <c>/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}</c>: how a
/// client reaches a Service (a cluster's Prometheus) with nothing but its API credentials.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class ServiceProxyContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? body = null, IKubernetes? client = null)
    {
        var k = (Kubernetes)(client ?? Client);
        var request = new HttpRequestMessage(method, new Uri(k.BaseUri, path));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        if (k.Credentials is not null) await k.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        return await k.HttpClient.SendAsync(request);
    }

    static async Task<JsonObject> Json(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    async Task<(string Ns, EchoBackend Echo)> RoutedEcho(string prefix)
    {
        SimulatorOnly.Require();
        var ns = await cluster.NewNamespaceAsync(prefix);
        var echo = new EchoBackend();
        cluster.Simulator!.ExposeService(ns, "echo", 8080, echo.Address, portName: "http");
        return (ns, echo);
    }

    [SkippableFact]
    public async Task a_get_reaches_the_backend_with_its_path_and_query_and_without_the_callers_token()
    {
        var (ns, echo) = await RoutedEcho("proxy");
        using var _ = echo;

        using var response = await Send(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/http:echo:8080/proxy/api/v1/query?query=up%7Bjob%3D%22a%22%7D&time=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Echo").Single());
        var seen = await Json(response);
        Assert.Equal("GET", seen["method"]!.GetValue<string>());
        Assert.Equal("/api/v1/query?query=up%7Bjob%3D%22a%22%7D&time=1", seen["target"]!.GetValue<string>());
        Assert.Null(seen["authorization"]);
    }

    [SkippableFact]
    public async Task a_post_passes_its_body_through_and_the_backends_status_comes_back()
    {
        var (ns, echo) = await RoutedEcho("proxy");
        using var _ = echo;

        using var response = await Send(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services/echo:http/proxy/api/v1/query?status=418", "query=sum(up)");

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        var seen = await Json(response);
        Assert.Equal("POST", seen["method"]!.GetValue<string>());
        Assert.Equal("query=sum(up)", seen["body"]!.GetValue<string>());
        Assert.StartsWith("application/x-www-form-urlencoded", seen["contentType"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_service_that_does_not_exist_is_a_404_NotFound_status()
    {
        var ns = await cluster.NewNamespaceAsync("proxy");

        using var response = await Send(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/http:nothing:9090/proxy/api/v1/query");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = await Json(response);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal("services \"nothing\" not found", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_service_without_endpoints_is_a_503_that_says_so()
    {
        var ns = await cluster.NewNamespaceAsync("proxy");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "lonely" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "none" }, Ports = [new V1ServicePort { Name = "web", Port = 9090 }] },
        }, ns);

        using var response = await Send(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/http:lonely:9090/proxy/-/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var status = await Json(response);
        Assert.Equal("ServiceUnavailable", status["reason"]!.GetValue<string>());
        Assert.Equal("no endpoints available for service \"lonely\"", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_port_number_the_service_does_not_have_is_a_503_naming_it()
    {
        var ns = await cluster.NewNamespaceAsync("proxy");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "one-port" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "web", Port = 9090 }] },
        }, ns);

        using var response = await Send(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/one-port:9091/proxy/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("no service port 9091 found for service \"one-port\"", (await Json(response))["message"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task a_backend_that_refuses_connections_is_a_503_error_trying_to_reach_service()
    {
        SimulatorOnly.Require();
        var ns = await cluster.NewNamespaceAsync("proxy");
        cluster.Simulator!.ExposeService(ns, "gone", 9090, new Uri($"http://127.0.0.1:{EchoBackend.FreePort()}/"));

        using var response = await Send(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/gone:9090/proxy/api/v1/query");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("error trying to reach service: ", (await Json(response))["message"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task proxying_needs_get_on_services_proxy_and_a_post_needs_create()
    {
        var (ns, echo) = await RoutedEcho("proxy");
        using var _ = echo;
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        var token = (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "robot", ns)).Status.Token;
        using var robot = ClusterUnderTest.ClientForYaml(cluster.Simulator!.KubeconfigForToken(token));
        var path = $"/api/v1/namespaces/{ns}/services/http:echo:8080/proxy/api/v1/query";

        using (var refused = await Send(HttpMethod.Get, path, client: robot))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal($"services \"http:echo:8080\" is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"{ns}\"",
                (await Json(refused))["message"]!.GetValue<string>());
        }

        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "proxy-get" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["services/proxy"], Verbs = ["get"] }],
        }, ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "robot-proxy-get" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "proxy-get" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = ns }],
        }, ns);

        await Eventually.Until(async () => { using var r = await Send(HttpMethod.Get, path, client: robot); return r.StatusCode == HttpStatusCode.OK; });
        using var post = await Send(HttpMethod.Post, path, "query=up", robot);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Contains("cannot create resource \"services/proxy\"", (await Json(post))["message"]!.GetValue<string>());
    }
}
