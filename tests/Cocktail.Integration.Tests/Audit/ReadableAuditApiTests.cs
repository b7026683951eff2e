using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Audit.Describing;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Audit;

/// <summary>The audit API in words: summaries with names, the event types, time travel by version, admins who could access.</summary>
[Collection(AccessCollection.Name)]
public sealed class ReadableAuditApiTests(AccessApp app)
{
    [Fact]
    public void every_event_type_marten_knows_has_a_summary()
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        // Marten's own (Archived, Tombstone...) are not Cocktail's events.
        var known = store.Options.Events.AllKnownEventTypes().Select(e => e.EventType)
            .Where(t => t.Namespace?.StartsWith("Cocktail.", StringComparison.Ordinal) == true).ToList();

        Assert.NotEmpty(known);
        var missing = known.Where(t => !AuditDescriptions.KnownTypes.Contains(t)).Select(t => t.Name).Order().ToList();
        Assert.True(missing.Count == 0, "Event types without a summary (add one in AuditDescriptions): " + string.Join(", ", missing));
    }

    [Fact]
    public async Task a_revoked_grant_is_summarised_with_the_people_and_the_cluster_by_name_beside_the_fields_it_always_had()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var cluster = (await ClusterApp.RegisterAsync(admin, sim))["cluster"]!;
        var dana = await app.CreateUserAsync();
        var grant = (string)(await Grants.GrantAsync(admin, new
        {
            userId = dana.Id, clusterId = (string)cluster["id"]!, scope = "Cluster", role = "edit", validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "on call",
        }))["grant"]!["id"]!;
        (await admin.PostAsJsonAsync($"/api/v1/access-grants/{grant}/revoke", new { reason = "left the team" })).EnsureSuccessStatusCode();

        var page = await (await admin.GetAsync($"/api/v1/audit/events?streamId={grant}&type=AccessGrantRevoked")).BodyAsync();

        var entry = page["items"]!.AsArray().Single()!;
        Assert.Equal($"admin revoked {dana.UserName}'s edit on {cluster["name"]}: left the team", (string?)entry["summary"]);
        Assert.Equal(("access grant", $"{dana.UserName}'s edit on {cluster["name"]}"), ((string?)entry["objectKind"], (string?)entry["objectName"]));
        Assert.Equal(("AccessGrantRevoked", "admin", "left the team"), ((string?)entry["type"], (string?)entry["actor"], (string?)entry["data"]!["reason"]));
    }

    [Fact]
    public async Task a_token_revoked_by_an_admin_names_its_owner_from_the_users_read_model()
    {
        using var admin = await app.AsAdminAsync();
        var owner = await app.CreateUserAsync();
        var tokens = await (await owner.Client.GetAsync("/api/v1/auth/tokens")).BodyAsync();
        var token = tokens.AsArray()[0]!;
        (await owner.Client.DeleteAsync($"/api/v1/auth/tokens/{token["id"]}")).EnsureSuccessStatusCode();

        var page = await (await admin.GetAsync($"/api/v1/audit/events?streamId={token["id"]}&type=ApiTokenRevoked")).BodyAsync();

        Assert.Equal($"{owner.UserName} revoked {owner.UserName}'s API token {token["name"]}", (string?)page["items"]![0]!["summary"]);
    }

    [Fact]
    public async Task the_event_types_are_listed_for_admins_and_auditors_only()
    {
        using var admin = await app.AsAdminAsync();
        var user = await app.CreateUserAsync();

        var types = await (await admin.GetAsync("/api/v1/audit/event-types")).BodyAsync();

        Assert.Contains("AccessGrantRevoked", types.AsArray().Select(t => (string?)t));
        Assert.Contains("WorkloadDeployed", types.AsArray().Select(t => (string?)t));
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync("/api/v1/audit/event-types")).StatusCode);
    }

    [Fact]
    public async Task time_travel_by_version_gives_the_state_as_named_fields_with_enums_by_name()
    {
        using var admin = await app.AsAdminAsync();
        var user = await app.CreateUserAsync("User");
        (await admin.PatchAsync($"/api/v1/users/{user.Id}", JsonContent.Create(new { role = "Auditor" }))).EnsureSuccessStatusCode();

        var first = await (await admin.GetAsync($"/api/v1/audit/streams/{user.Id}?version=1")).BodyAsync();
        var latest = await (await admin.GetAsync($"/api/v1/audit/streams/{user.Id}")).BodyAsync();

        static string? Field(JsonNode state, string name) =>
            (string?)state["fields"]!.AsArray().Single(f => (string?)f!["field"] == name)!["value"];
        Assert.Equal((1, "User"), ((int?)first["version"], Field(first, "role")));
        Assert.Equal("Auditor", Field(latest, "role"));
        Assert.Equal(2, (int?)first["latestVersion"]);
        Assert.StartsWith("admin registered " + user.UserName, (string?)first["events"]![0]!["summary"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/audit/streams/{user.Id}?version=0")).StatusCode);
    }

    [Fact]
    public async Task who_could_access_lists_the_platform_admins_as_reaching_every_cluster()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var demoted = await app.CreateUserAsync("PlatformAdmin");
        (await admin.PatchAsync($"/api/v1/users/{demoted.Id}", JsonContent.Create(new { role = "User" }))).EnsureSuccessStatusCode();

        var answer = await (await admin.GetAsync($"/api/v1/investigations/access?clusterId={clusterId}")).BodyAsync();

        var admins = answer["admins"]!.AsArray().Select(a => (string?)a!["userName"]).ToList();
        Assert.Contains(CocktailApp.AdminUserName, admins);
        Assert.DoesNotContain(demoted.UserName, admins);
        Assert.DoesNotContain(CocktailApp.AdminUserName, answer["holders"]!.AsArray().Select(h => (string?)h!["userName"]));
    }
}
