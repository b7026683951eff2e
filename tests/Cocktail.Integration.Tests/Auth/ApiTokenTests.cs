using System.Net;
using System.Net.Http.Headers;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class ApiTokenTests(CocktailApp app)
{
    [Fact]
    public async Task a_token_is_shown_once_listed_without_its_secret_and_stops_working_when_revoked()
    {
        var user = await app.CreateUserAsync();
        using var anonymous = app.Anonymous();
        var issued = await anonymous.PostJsonAsync("/api/v1/auth/tokens",
            new { userName = user.UserName, password = user.Password, name = "ci-pipeline", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = await issued.BodyAsync();
        var secret = (string)body["token"]!;
        Assert.StartsWith("ckt_", secret);
        Assert.True(DateTimeOffset.Parse((string)body["expiresAt"]!) > DateTimeOffset.UtcNow.AddDays(29));

        using var script = app.Anonymous();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);

        var listed = await (await script.GetAsync("/api/v1/auth/tokens")).BodyAsync();
        var token = listed.AsArray().Single(t => (string?)t!["name"] == "ci-pipeline")!;
        Assert.DoesNotContain(secret, listed.ToJsonString());
        Assert.StartsWith((string)token["prefix"]!, secret);

        var revoked = await user.Client.DeleteAsync($"/api/v1/auth/tokens/{token["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task a_token_longer_than_the_maximum_lifetime_is_refused()
    {
        var user = await app.CreateUserAsync();
        using var anonymous = app.Anonymous();

        var response = await anonymous.PostJsonAsync("/api/v1/auth/tokens",
            new { userName = user.UserName, password = user.Password, name = "forever", expiresInDays = 3650 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("90", (string?)(await response.BodyAsync())["errors"]!["expiresInDays"]![0]);
    }

    [Fact]
    public async Task someone_else_cannot_revoke_my_token_and_learns_nothing_about_it()
    {
        var owner = await app.CreateUserAsync();
        var stranger = await app.CreateUserAsync();
        var tokens = await (await owner.Client.GetAsync("/api/v1/auth/tokens")).BodyAsync();

        var response = await stranger.Client.DeleteAsync($"/api/v1/auth/tokens/{tokens[0]!["id"]}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [InlineData("ckt_not-a-real-token")]
    [InlineData("cka_an-audit-webhook-secret")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.a-kubernetes-token")]
    public async Task a_garbage_bearer_token_gets_401_with_a_problem(string token)
    {
        using var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync("/api/v1/users");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"title\":\"Unauthorized\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task five_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var user = await app.CreateUserAsync();
        using var anonymous = app.Anonymous();
        object Attempt(string password) => new { userName = user.UserName, password, name = "t", expiresInDays = 1 };

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/v1/auth/tokens", Attempt("wrong-password-" + i))).StatusCode);
        var locked = await anonymous.PostJsonAsync("/api/v1/auth/tokens", Attempt(user.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        // The same words as for a wrong password or an unknown user: the answer must not confirm that the account exists.
        var unknown = await anonymous.PostJsonAsync("/api/v1/auth/tokens", new { userName = $"nobody-{Guid.NewGuid():N}"[..14], password = "x", name = "t", expiresInDays = 1 });
        var wrong = await anonymous.PostJsonAsync("/api/v1/auth/tokens", Attempt("another-wrong-password"));
        var detail = (string?)(await locked.BodyAsync())["detail"];
        Assert.DoesNotContain("locked", detail);
        Assert.Equal(detail, (string?)(await unknown.BodyAsync())["detail"]);
        Assert.Equal(detail, (string?)(await wrong.BodyAsync())["detail"]);
        using var admin = await app.AsAdminAsync();
        var view = await (await admin.GetAsync($"/api/v1/users/{user.Id}")).BodyAsync();
        Assert.NotNull(view["lockedUntil"]);
    }
}

[Collection(ClockedCollection.Name)]
public sealed class ApiTokenExpiryTests(ClockedCocktailApp app)
{
    [Fact]
    public async Task a_token_stops_working_once_it_expires()
    {
        var user = await app.CreateUserAsync();
        var secret = await app.IssueTokenAsync(user.UserName, user.Password, expiresInDays: 2);
        using var script = app.Anonymous();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
    }
}
