using System.Net;
using Cocktail.Integration.Tests.Platform;
using System.Net.Http.Json;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Users;

[Collection(ApiCollection.Name)]
public sealed class RegisteringUsersTests(CocktailApp app)
{
    [Fact]
    public async Task an_admin_creates_a_user_and_gets_201_with_the_user_then_finds_it_in_the_list()
    {
        using var admin = await app.AsAdminAsync();
        var userName = $"dev-{Guid.NewGuid():N}"[..12];

        var created = await admin.PostJsonAsync("/api/v1/users",
            new { userName, displayName = "Dana Developer", password = "a-long-enough-password", role = "User" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.BodyAsync();
        Assert.Equal(userName, (string?)body["userName"]);
        Assert.Equal("Dana Developer", (string?)body["displayName"]);
        Assert.Equal("User", (string?)body["role"]);
        Assert.True((bool?)body["active"]);
        Assert.Equal("admin", (string?)body["createdBy"]);
        Assert.Null(body["password"]);
        Assert.Equal($"/api/v1/users/{body["id"]}", created.Headers.Location?.ToString());

        var list = await (await admin.GetAsync($"/api/v1/users?search={userName}")).BodyAsync();
        Assert.Equal(1, (int?)list["total"]);
        Assert.Equal(userName, (string?)list["items"]![0]!["userName"]);
    }

    [Fact]
    public async Task a_duplicate_user_name_is_refused_with_409_naming_the_field()
    {
        using var admin = await app.AsAdminAsync();
        var user = new { userName = $"dup-{Guid.NewGuid():N}"[..12], displayName = "Dup", password = "a-long-enough-password", role = "User" };
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/v1/users", user)).StatusCode);

        var second = await admin.PostJsonAsync("/api/v1/users", user);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.BodyAsync();
        Assert.Equal(409, (int?)problem["status"]);
        Assert.Contains("taken", (string?)problem["errors"]!["userName"]![0]);
    }

    [Fact]
    public async Task without_credentials_the_api_answers_401_problem_details()
    {
        using var anonymous = app.Anonymous();

        var list = await anonymous.GetAsync("/api/v1/users");
        var create = await anonymous.PostJsonAsync("/api/v1/users",
            new { userName = "x-anon", displayName = "X", password = "a-long-enough-password", role = "User" });

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Equal("application/problem+json", create.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_user_who_is_not_an_admin_gets_403_and_nothing_is_created()
    {
        var user = await app.CreateUserAsync("User");
        var auditor = await app.CreateUserAsync("Auditor");
        var userName = $"nope-{Guid.NewGuid():N}"[..12];
        var body = new { userName, displayName = "Nope", password = "a-long-enough-password", role = "PlatformAdmin" };

        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.PostJsonAsync("/api/v1/users", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.Client.PostJsonAsync("/api/v1/users", body)).StatusCode);

        using var admin = await app.AsAdminAsync();
        var list = await (await admin.GetAsync($"/api/v1/users?search={userName}")).BodyAsync();
        Assert.Equal(0, (int?)list["total"]);
    }

    [Fact]
    public async Task changing_a_role_with_a_stale_expected_version_is_refused_with_409()
    {
        var user = await app.CreateUserAsync("User");
        using var admin = await app.AsAdminAsync();
        var first = await admin.PatchAsync($"/api/v1/users/{user.Id}",
            JsonContent.Create(new { role = "Auditor", expectedVersion = 1 }));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Auditor", (string?)(await first.BodyAsync())["role"]);

        var stale = await admin.PatchAsync($"/api/v1/users/{user.Id}",
            JsonContent.Create(new { role = "PlatformAdmin", expectedVersion = 1 }));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var current = await (await admin.GetAsync($"/api/v1/users/{user.Id}")).BodyAsync();
        Assert.Equal("Auditor", (string?)current["role"]);
    }

    [Fact]
    public async Task a_deactivated_user_can_no_longer_use_the_api_and_cannot_get_a_new_token()
    {
        var user = await app.CreateUserAsync("User");
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
        using var admin = await app.AsAdminAsync();

        var deactivated = await admin.PostAsync($"/api/v1/users/{user.Id}/deactivate", null);

        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.False((bool?)(await deactivated.BodyAsync())["active"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
        using var anonymous = app.Anonymous();
        var token = await anonymous.PostJsonAsync("/api/v1/auth/tokens",
            new { userName = user.UserName, password = user.Password, name = "again", expiresInDays = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
    }

    [Fact]
    public async Task the_last_active_platform_admin_cannot_be_demoted_or_deactivated()
    {
        using var admin = await app.AsAdminAsync();
        var me = await (await admin.GetAsync("/api/v1/me")).BodyAsync();
        var admins = await (await admin.GetAsync("/api/v1/users?role=PlatformAdmin&active=true&pageSize=500")).BodyAsync();
        foreach (var other in admins["items"]!.AsArray().Where(u => (string?)u!["id"] != (string?)me["id"]))
            await admin.PostAsync($"/api/v1/users/{other!["id"]}/deactivate", null);

        var demote = await admin.PatchAsync($"/api/v1/users/{me["id"]}", JsonContent.Create(new { role = "User" }));
        var deactivate = await admin.PostAsync($"/api/v1/users/{me["id"]}/deactivate", null);

        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains("last active platform admin", (string?)(await demote.BodyAsync())["detail"]);
        Assert.Equal(HttpStatusCode.Conflict, deactivate.StatusCode);
        Assert.Equal("PlatformAdmin", (string?)(await (await admin.GetAsync("/api/v1/me")).BodyAsync())["role"]);
    }
}
