using System.Net;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Users;

/// <summary>No body, however malformed, produces a 500: each gets a 400 that names what is wrong.</summary>
[Collection(ApiCollection.Name)]
public sealed class BadRequestTests(CocktailApp app)
{
    [Theory]
    [InlineData("""{"userName":"Bad Name","displayName":"X","password":"a-long-enough-password","role":"User"}""", "userName")]
    [InlineData("""{"userName":"ok-name","displayName":"","password":"a-long-enough-password","role":"User"}""", "displayName")]
    [InlineData("""{"userName":"ok-name","displayName":"X","password":"short","role":"User"}""", "password")]
    [InlineData("""{"userName":"ok-name","displayName":"X","password":"a-long-enough-password","role":"Root"}""", "role")]
    [InlineData("""{"userName":42,"displayName":"X","password":"a-long-enough-password","role":"User"}""", "userName")]
    [InlineData("""{"userName":"ok-name","displayName":"X","password":"a-long-enough-password","role":7}""", "role")]
    [InlineData("""{"userName":"ok-name","displayName":["X"],"password":"a-long-enough-password","role":"User"}""", "displayName")]
    [InlineData("""{"userName":""", "userName")]
    [InlineData("""not json at all""", "body")]
    [InlineData("""{}""", "userName")]
    [InlineData("""[]""", "body")]
    public async Task an_invalid_user_body_gets_400_with_the_field_named(string body, string field)
    {
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostRawAsync("/api/v1/users", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.BodyAsync();
        Assert.Equal(400, (int?)problem["status"]);
        Assert.NotNull(problem["errors"]?[field]);
    }

    [Fact]
    public async Task an_empty_body_gets_400()
    {
        using var admin = await app.AsAdminAsync();
        var response = await admin.PostAsync("/api/v1/users", new StringContent("", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task a_huge_string_gets_400_not_500()
    {
        using var admin = await app.AsAdminAsync();
        var huge = new string('a', 200_000);

        var response = await admin.PostJsonAsync("/api/v1/users",
            new { userName = huge, displayName = huge, password = huge, role = "User" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.BodyAsync())["errors"]!;
        Assert.NotNull(errors["userName"]);
        Assert.NotNull(errors["displayName"]);
        Assert.NotNull(errors["password"]);
    }

    [Theory]
    [InlineData("/api/v1/users?page=abc")]
    [InlineData("/api/v1/users?role=Root")]
    [InlineData("/api/v1/audit/events?from=yesterday")]
    [InlineData("/api/v1/users/not-a-guid")]
    public async Task an_unparseable_query_or_route_value_is_not_a_server_error(string url)
    {
        using var admin = await app.AsAdminAsync();
        var response = await admin.GetAsync(url);
        Assert.True((int)response.StatusCode is 400 or 404, $"{url} answered {(int)response.StatusCode}");
    }
}
