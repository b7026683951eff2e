using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditTrailTests(CocktailApp app)
{
    [Fact]
    public async Task each_event_carries_the_actor_and_the_source_ip_and_user_agent()
    {
        using var admin = await app.AsAdminAsync();
        admin.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        var userName = $"aud-{Guid.NewGuid():N}"[..12];
        var created = await (await admin.PostJsonAsync("/api/v1/users",
            new { userName, displayName = "Audited", password = "a-long-enough-password", role = "User" })).BodyAsync();

        var page = await (await admin.GetAsync($"/api/v1/audit/events?streamId={created["id"]}")).BodyAsync();

        var entry = page["items"]!.AsArray().Single()!;
        Assert.Equal("UserRegistered", (string?)entry["type"]);
        Assert.Equal("admin", (string?)entry["actor"]);
        Assert.Equal("127.0.0.1", (string?)entry["sourceIp"]);
        Assert.Equal("audit-test/1.0", (string?)entry["userAgent"]);
        Assert.False(string.IsNullOrEmpty((string?)entry["correlationId"]));
        Assert.Equal(userName, (string?)entry["data"]!["userName"]);
        Assert.Equal("admin", (string?)entry["data"]!["registeredBy"]!["name"]);
    }

    [Fact]
    public async Task the_audit_trail_is_newest_first_and_filters_by_actor_and_type()
    {
        var actor = await app.CreateUserAsync("PlatformAdmin");
        var first = await (await actor.Client.PostJsonAsync("/api/v1/users",
            new { userName = $"a1-{Guid.NewGuid():N}"[..12], displayName = "A1", password = "a-long-enough-password", role = "User" })).BodyAsync();
        await actor.Client.PatchAsync($"/api/v1/users/{first["id"]}", JsonContent.Create(new { role = "Auditor" }));

        var mine = await (await actor.Client.GetAsync($"/api/v1/audit/events?actor={actor.UserName}")).BodyAsync();
        var roleChanges = await (await actor.Client.GetAsync($"/api/v1/audit/events?actor={actor.UserName}&type=UserRoleChanged")).BodyAsync();

        var types = mine["items"]!.AsArray().Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(["UserRoleChanged", "UserRegistered", "ApiTokenCreated"], types);
        Assert.Equal(1, (int?)roleChanges["total"]);
        Assert.Equal("Auditor", (string?)roleChanges["items"]![0]!["data"]!["to"]);
    }

    [Fact]
    public async Task only_admins_and_auditors_read_the_audit_trail()
    {
        var user = await app.CreateUserAsync("User");
        var auditor = await app.CreateUserAsync("Auditor");

        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync("/api/v1/audit/events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync("/api/v1/audit/events")).StatusCode);
    }

    [Fact]
    public async Task time_travel_returns_the_user_as_it_was_before_a_change()
    {
        using var admin = await app.AsAdminAsync();
        var user = await app.CreateUserAsync("User");
        var registered = await (await admin.GetAsync($"/api/v1/audit/events?streamId={user.Id}")).BodyAsync();
        var registeredAt = (string)registered["items"]![0]!["timestamp"]!;
        await admin.PatchAsync($"/api/v1/users/{user.Id}", JsonContent.Create(new { role = "Auditor", displayName = "Renamed" }));

        var then = await (await admin.GetAsync($"/api/v1/audit/streams/{user.Id}?at={Uri.EscapeDataString(registeredAt)}")).BodyAsync();
        var now = await (await admin.GetAsync($"/api/v1/audit/streams/{user.Id}")).BodyAsync();

        Assert.Equal("User", (string?)then["state"]!["role"]);
        Assert.Equal(user.UserName, (string?)then["state"]!["displayName"]);
        Assert.Equal(1, (int?)then["version"]);
        Assert.Single(then["events"]!.AsArray());
        Assert.Equal("Auditor", (string?)now["state"]!["role"]);
        Assert.Equal("Renamed", (string?)now["state"]!["displayName"]);
        Assert.Equal(3, (int?)now["version"]);
        Assert.Equal(["UserRegistered", "UserDisplayNameChanged", "UserRoleChanged"],
            now["events"]!.AsArray().Select(e => (string?)e!["type"]).ToList());
    }

    [Fact]
    public async Task time_travel_for_an_unknown_stream_is_404()
    {
        using var admin = await app.AsAdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/audit/streams/{Guid.NewGuid()}")).StatusCode);
    }
}
