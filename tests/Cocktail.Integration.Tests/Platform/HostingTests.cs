using System.Net;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Platform;

[Collection(ApiCollection.Name)]
public sealed class HostingTests(CocktailApp app)
{
    [Fact]
    public async Task health_readiness_and_the_openapi_document_answer_without_signing_in_but_metrics_do_not()
    {
        using var client = app.Anonymous();

        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal("ready", await client.GetStringAsync("/readyz"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
        var openApi = await (await client.GetAsync("/openapi/v1.json")).BodyAsync();
        Assert.NotNull(openApi["paths"]!["/api/v1/users"]);
        Assert.NotNull(openApi["paths"]!["/api/v1/audit/events"]);
    }

    [Fact]
    public async Task console_pages_send_a_signed_out_browser_to_the_sign_in_page()
    {
        using var client = app.Anonymous();

        var response = await client.GetAsync("/settings/users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
    }
}
