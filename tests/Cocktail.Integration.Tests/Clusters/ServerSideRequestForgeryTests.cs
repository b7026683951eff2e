using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cocktail.Integration.Tests.Clusters;

/// <summary>
/// A cluster's address is something Cocktail connects to from inside the platform's network: it must not reach the
/// cloud's metadata service, and it must not repeat what a server that is not Kubernetes answered.
/// </summary>
[Collection(ClustersCollection.Name)]
public sealed class ServerSideRequestForgeryTests(ClusterApp app)
{
    [Theory]
    [InlineData("https://169.254.169.254")]
    [InlineData("https://169.254.169.254:6443/")]
    [InlineData("https://[fe80::1]:6443")]
    public async Task a_server_in_a_refused_range_is_a_400_on_the_server_field(string server)
    {
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = $"meta-{Guid.NewGuid():N}"[..12], provider = "BareMetal", server, token = "t0ken-for-metadata" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (string?)(await response.BodyAsync())["errors"]!["server"]![0];
        Assert.Contains("refused address range", message);
    }

    [Fact]
    public async Task a_kubeconfig_pointing_at_the_metadata_address_over_http_is_refused_too()
    {
        using var admin = await app.AsAdminAsync();
        var kubeconfig = KubeconfigFor("http://169.254.169.254/latest/meta-data");

        var response = await admin.PostAsJsonAsync("/api/v1/clusters", new { name = "meta-http", provider = "BareMetal", kubeconfig });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("169.254.0.0/16", (string?)(await response.BodyAsync())["errors"]!["server"]![0]);
    }

    [Theory]
    [InlineData(200, "text/html")]
    [InlineData(500, "text/plain")]
    [InlineData(500, "application/json")]
    [InlineData(404, "application/json")]
    public async Task what_a_server_that_is_not_kubernetes_answers_is_not_repeated(int status, string contentType)
    {
        var marker = $"internal-data-{Guid.NewGuid():N}";
        await using var foreign = await ForeignServer.StartAsync(status, contentType,
            contentType == "application/json" ? $$"""{"secret":"{{marker}}","message":"{{marker}}"}""" : $"<html><body>{marker}</body></html>");
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = $"web-{Guid.NewGuid():N}"[..12], provider = "BareMetal", kubeconfig = KubeconfigFor(foreign.Url) });

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(marker, body);
        Assert.DoesNotContain(marker, string.Join('\n', app.Log.Lines));
        if (contentType != "application/json")
            Assert.Contains($"did not answer as a Kubernetes API server (HTTP {status}, {contentType})", body);
    }

    private static string KubeconfigFor(string server) => $$$"""
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{name: c, cluster: {server: "{{{server}}}"}}]
        users: [{name: u, user: {token: some-token}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        """;

    /// <summary>Some web server on the platform's network that is not a Kubernetes API server.</summary>
    private sealed class ForeignServer(WebApplication web) : IAsyncDisposable
    {
        public string Url => web.Urls.First();

        public static async Task<ForeignServer> StartAsync(int status, string contentType, string body)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var web = builder.Build();
            web.Urls.Add("http://127.0.0.1:0");
            web.Run(async http =>
            {
                http.Response.StatusCode = status;
                http.Response.ContentType = contentType;
                await http.Response.WriteAsync(body);
            });
            await web.StartAsync();
            return new ForeignServer(web);
        }

        public async ValueTask DisposeAsync() => await web.DisposeAsync();
    }
}
