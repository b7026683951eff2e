using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Auth;

/// <summary>A locked-out user does not have to wait: a platform admin unlocks the account, or resets its password.</summary>
[Collection(ApiCollection.Name)]
public sealed class UnlockingTests(CocktailApp app)
{
    [Fact]
    public async Task a_platform_admin_unlocks_a_locked_account_and_the_right_password_works_again()
    {
        var user = await LockedOutUserAsync();
        using var admin = await app.AsAdminAsync();

        var unlocked = await admin.PostAsync($"/api/v1/users/{user.Id}/unlock", null);

        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        Assert.Null((await unlocked.BodyAsync())["lockedUntil"]);
        Assert.Equal(HttpStatusCode.Created, (await TryPasswordAsync(user.UserName, user.Password)).StatusCode);
        var events = await (await admin.GetAsync($"/api/v1/audit/events?streamId={user.Id}")).BodyAsync();
        Assert.Contains(events["items"]!.AsArray(), e => (string?)e!["type"] == "UserUnlocked"
                                                        && (string?)e["data"]!["unlockedBy"]!["name"] == CocktailApp.AdminUserName);
    }

    [Fact]
    public async Task a_platform_admin_resets_the_password_of_a_locked_account()
    {
        var user = await LockedOutUserAsync();
        using var admin = await app.AsAdminAsync();
        var newPassword = TestSecrets.Remember($"reset-{Guid.NewGuid():N}");

        var reset = await admin.PutAsJsonAsync($"/api/v1/users/{user.Id}/password", new { newPassword });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TryPasswordAsync(user.UserName, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await TryPasswordAsync(user.UserName, newPassword)).StatusCode);
    }

    [Fact]
    public async Task only_platform_admins_unlock()
    {
        var locked = await LockedOutUserAsync();
        var other = await app.CreateUserAsync("Auditor");

        var response = await other.Client.PostAsync($"/api/v1/users/{locked.Id}/unlock", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TryPasswordAsync(locked.UserName, locked.Password)).StatusCode);
    }

    private async Task<TestUser> LockedOutUserAsync()
    {
        var user = await app.CreateUserAsync();
        for (var i = 0; i < 5; i++) await TryPasswordAsync(user.UserName, $"wrong-password-{i}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await TryPasswordAsync(user.UserName, user.Password)).StatusCode);
        return user;
    }

    private async Task<HttpResponseMessage> TryPasswordAsync(string userName, string password)
    {
        using var anonymous = app.Anonymous();
        return await anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { userName, password, name = "unlock-test", expiresInDays = 1 });
    }
}
