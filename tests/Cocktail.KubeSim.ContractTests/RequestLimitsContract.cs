using System.Net;
using System.Text;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// The apiserver refuses bodies over 3 MiB (413), YAML nested past its limit and YAML whose aliases expand too far
/// (400), and keeps serving: no body takes it down.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class RequestLimitsContract(ClusterUnderTest cluster)
{
    public static TheoryData<string, string> HostileYaml()
    {
        var laughs = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
            laughs.Append($"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(",", Enumerable.Repeat("*" + (char)('a' + i - 1), 9))}]\n");
        return new()
        {
            { "nested 20,000 flow sequences", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + new string('[', 20_000) + new string(']', 20_000) },
            { "nested 20,000 flow mappings", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "1" + new string('}', 20_000) },
            { "billion laughs", laughs.ToString() },
        };
    }

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task hostile_yaml_is_a_400_and_the_apiserver_keeps_serving(string name, string yaml)
    {
        var ns = await cluster.NewNamespaceAsync("limits");

        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", yaml, "application/yaml");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(ns, (await cluster.Client.CoreV1.ReadNamespaceAsync(ns)).Metadata.Name);
    }

    [Fact]
    public async Task a_body_over_3_MiB_is_a_413()
    {
        var ns = await cluster.NewNamespaceAsync("limits");
        var body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"" + new string('x', 4 * 1024 * 1024) + "\"}}";

        // With "Expect: 100-continue" the server's early answer arrives before the body is sent; without it, a server that
        // answers 413 and closes while the client is still writing 4 MiB (Go's and Kestrel's both do) is a broken pipe.
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body, "application/json", expectContinue: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Request entity too large", await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, string contentType, bool expectContinue = false)
    {
        var client = (Kubernetes)cluster.Client;
        var request = new HttpRequestMessage(method, new Uri(client.BaseUri, path)) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.ExpectContinue = expectContinue;
        if (client.Credentials is not null) await client.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        return await client.HttpClient.SendAsync(request);
    }
}
