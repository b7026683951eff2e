using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.AccessGrants;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class InvestigationTests(AccessApp app)
{
    [Fact]
    public async Task who_could_reach_a_cluster_is_answered_as_of_any_time_across_grants_revocations_and_expiries()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var alice = await app.CreateUserAsync();
        var bob = await app.CreateUserAsync();
        var now = DateTimeOffset.UtcNow;

        var a = await GrantAsync(admin, alice.Id, clusterId, "edit", now.AddDays(2));
        var b = await GrantAsync(admin, bob.Id, clusterId, "view", now.AddHours(3));
        await admin.PostAsJsonAsync($"/api/v1/access-grants/{a}/revoke", new { reason = "rotation" });
        var aGranted = await TimeOf(admin, a, "ClusterAccessGranted");
        var bGranted = await TimeOf(admin, b, "ClusterAccessGranted");
        var aRevoked = await TimeOf(admin, a, "AccessGrantRevoked");

        Assert.Equal([alice.UserName], await HoldersAsync(admin, clusterId, aGranted));
        Assert.Equal(new[] { alice.UserName, bob.UserName }.Order(), await HoldersAsync(admin, clusterId, bGranted));
        Assert.Equal([bob.UserName], await HoldersAsync(admin, clusterId, aRevoked));
        Assert.Empty(await HoldersAsync(admin, clusterId, now.AddHours(4))); // bob's grant has ended by then
        Assert.Empty(await HoldersAsync(admin, clusterId, aGranted.AddMilliseconds(-1000)));

        var detail = await (await admin.GetAsync($"/api/v1/investigations/access?clusterId={clusterId}&at={Uri.EscapeDataString(bGranted.ToString("O"))}")).BodyAsync();
        var bobHolder = detail["holders"]!.AsArray().Single(h => (string?)h!["userName"] == bob.UserName)!;
        Assert.Equal(("view", "admin"), ((string?)bobHolder["role"], (string?)bobHolder["grantedBy"]));
    }

    [Fact]
    public async Task rebuilding_the_grant_read_models_from_the_events_gives_the_same_answers()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();
        var kept = await GrantAsync(admin, user.Id, clusterId, "view", DateTimeOffset.UtcNow.AddDays(1));
        var revoked = await GrantAsync(admin, user.Id, clusterId, "edit", DateTimeOffset.UtcNow.AddDays(1));
        await admin.PostAsJsonAsync($"/api/v1/access-grants/{revoked}/revoke", new { reason = "not needed" });
        await Grants.WaitForStateAsync(admin, kept, "Active");
        // The revoked grant's clean-up on the cluster runs after the revoke answers; let it finish, or the read model
        // captured below is older than the events the rebuild replays.
        await Eventually.GetAsync(async () => await (await admin.GetAsync($"/api/v1/access-grants/{revoked}")).BodyAsync(),
            g => (string?)g["state"] == "Revoked" && (bool?)g["grant"]!["onCluster"] == false, TimeSpan.FromSeconds(20), "revoked grant off the cluster");
        var at = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        async Task<string> AnswersAsync() =>
            (await (await admin.GetAsync($"/api/v1/access-grants?clusterId={clusterId}")).BodyAsync()).ToJsonString() +
            (await (await admin.GetAsync($"/api/v1/investigations/access?clusterId={clusterId}&at={at}")).BodyAsync())["holders"]!.ToJsonString();
        var before = await AnswersAsync();

        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            session.DeleteWhere<AccessGrantView>(g => g.ClusterId == Guid.Parse(clusterId));
            await session.SaveChangesAsync();
        }
        Assert.Equal(0, (int?)(await (await admin.GetAsync($"/api/v1/access-grants?clusterId={clusterId}")).BodyAsync())["total"]);
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync<AccessGrantView>(CancellationToken.None);

        Assert.Equal(before, await AnswersAsync());
    }

    private static async Task<string> GrantAsync(HttpClient admin, Guid userId, string clusterId, string role, DateTimeOffset until) =>
        (string)(await Grants.GrantAsync(admin, new { userId, clusterId, scope = "Cluster", role, validUntil = until, reason = "investigation test" }))["grant"]!["id"]!;

    private static async Task<DateTimeOffset> TimeOf(HttpClient admin, string streamId, string type)
    {
        var page = await (await admin.GetAsync($"/api/v1/audit/events?streamId={streamId}&type={type}")).BodyAsync();
        return DateTimeOffset.Parse((string)page["items"]![0]!["timestamp"]!);
    }

    private static async Task<List<string>> HoldersAsync(HttpClient admin, string clusterId, DateTimeOffset at)
    {
        var answer = await (await admin.GetAsync($"/api/v1/investigations/access?clusterId={clusterId}&at={Uri.EscapeDataString(at.ToString("O"))}")).BodyAsync();
        return answer["holders"]!.AsArray().Select(h => (string)h!["userName"]!).Order().ToList();
    }
}
