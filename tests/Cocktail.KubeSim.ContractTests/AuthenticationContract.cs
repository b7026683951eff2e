using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>Bearer tokens (admin, ServiceAccount TokenRequest) and what happens when they stop being valid.</summary>
[Collection(ContractCollection.Name)]
public sealed class AuthenticationContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    static string Server(IKubernetes client) => ((Kubernetes)client).BaseUri.ToString().TrimEnd('/');

    IKubernetes ClientWithToken(string token)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        config.AccessToken = token;
        config.ClientCertificateData = null;
        config.ClientCertificateKeyData = null;
        config.ClientCertificateFilePath = null;
        config.ClientKeyFilePath = null;
        config.Username = null;
        config.Password = null;
        config.TokenProvider = null;
        return new Kubernetes(config);
    }

    [Fact]
    public async Task an_invalid_bearer_token_is_401_Unauthorized()
    {
        using var client = ClientWithToken("not-a-valid-token");
        var error = await ApiError.From(() => client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Reason);
        Assert.Equal("Unauthorized", error.Message);
    }

    async Task<string> RequestToken(string ns, string account, long? seconds = null) =>
        (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = seconds ?? 3600 },
        }, account, ns)).Status.Token;

    [Fact]
    public async Task a_token_request_returns_a_jwt_for_the_service_account_with_its_expiry()
    {
        var ns = await cluster.NewNamespaceAsync("auth");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        var response = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 },
        }, "robot", ns);
        Assert.Equal(3, response.Status.Token.Split('.').Length);
        var expires = response.Status.ExpirationTimestamp!.Value.ToUniversalTime();
        Assert.InRange(expires, DateTime.UtcNow.AddMinutes(55), DateTime.UtcNow.AddMinutes(65));
        using var client = ClientWithToken(response.Status.Token);
        var review = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        Assert.Equal($"system:serviceaccount:{ns}:robot", review.Status.UserInfo.Username);
        Assert.Contains($"system:serviceaccounts:{ns}", review.Status.UserInfo.Groups);
    }

    [Fact]
    public async Task a_token_request_under_ten_minutes_is_422_Invalid()
    {
        var ns = await cluster.NewNamespaceAsync("auth");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        var error = await ApiError.From(() => RequestToken(ns, "robot", 599));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        Assert.Contains("spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes", error.Message);
    }

    [Fact]
    public async Task a_service_account_token_stops_working_once_the_service_account_is_deleted()
    {
        var ns = await cluster.NewNamespaceAsync("auth");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "doomed" } }, ns);
        var token = await RequestToken(ns, "doomed");
        using var client = ClientWithToken(token);
        await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "pods", NamespaceProperty = ns } },
        });
        await Client.CoreV1.DeleteNamespacedServiceAccountAsync("doomed", ns);
        await Eventually.Until(async () =>
        {
            var error = await ApiError.From(() => client.CoreV1.ListNamespacedPodAsync(ns));
            return error.StatusCode == HttpStatusCode.Unauthorized;
        }, because: "a bound token dies with its ServiceAccount");
    }

    [Fact]
    public async Task token_review_reports_who_a_token_belongs_to()
    {
        var ns = await cluster.NewNamespaceAsync("auth");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "reviewed" } }, ns);
        var token = await RequestToken(ns, "reviewed");
        var review = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } });
        Assert.True(review.Status.Authenticated);
        Assert.Equal($"system:serviceaccount:{ns}:reviewed", review.Status.User.Username);
        var bad = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "garbage" } });
        Assert.NotEqual(true, bad.Status.Authenticated);
    }

    [Fact]
    public async Task anonymous_requests_may_read_the_version_but_not_resources()
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var server = Server(Client);
        var version = await http.GetAsync($"{server}/version");
        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        var namespaces = await http.GetAsync($"{server}/api/v1/namespaces");
        Assert.Contains(namespaces.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized });
        if (namespaces.StatusCode == HttpStatusCode.Forbidden)
        {
            var status = System.Text.Json.Nodes.JsonNode.Parse(await namespaces.Content.ReadAsStringAsync())!;
            Assert.Equal("namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope", status["message"]!.GetValue<string>());
        }
    }
}
