using System.Net;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using k8s;
using k8s.Autorest;

namespace Cocktail.Integration.Tests.Access;

/// <summary>Expiry runs on Cocktail's clock, so these tests move it instead of waiting.</summary>
public sealed class GrantExpiryTests
{
    [Fact]
    public async Task when_a_grant_expires_its_account_goes_and_the_token_gets_401()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        await using var app = new ClockedAccessApp();
        await app.InitializeAsync();
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var user = await app.CreateUserAsync();
        var id = (string)(await Grants.GrantAsync(admin, new
        {
            userId = user.Id, clusterId, scope = "Cluster", role = "view", validUntil = app.Clock.GetUtcNow().AddHours(1), reason = "short",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(user.Client, id, "Active");
        using var kube = Grants.Client(await Grants.KubeconfigAsync(user.Client, id));
        var before = await kube.CoreV1.ListNamespacedPodAsync("default"); // answers, as the token is still valid
        Assert.Equal("v1", before.ApiVersion);

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => RefusedAsync(kube), TimeSpan.FromSeconds(15), "the expired token to be refused");
        var grant = await Eventually.GetAsync(async () => await (await admin.GetAsync($"/api/v1/access-grants/{id}")).BodyAsync(),
            g => (string?)g["state"] == "Expired" && (bool?)g["grant"]!["onCluster"] == false, TimeSpan.FromSeconds(15), "expired and off the cluster");
        Assert.NotNull(grant["grant"]!["expiredAt"]);
        var history = await (await admin.GetAsync($"/api/v1/audit/events?streamId={id}")).BodyAsync();
        Assert.Equal(["AccessGrantRemovedFromCluster", "AccessGrantExpired"],
            history["items"]!.AsArray().Take(2).Select(e => (string?)e!["type"]));
    }

    [Fact]
    public async Task a_grant_that_ends_while_cocktail_is_stopped_is_expired_when_it_starts_again()
    {
        await using var sim = await ClusterApp.StartClusterAsync();
        var first = new ClockedAccessApp();
        await first.InitializeAsync();
        IKubernetes kube;
        string id;
        using (var admin = await first.AsAdminAsync())
        {
            var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
            var user = await first.CreateUserAsync();
            id = (string)(await Grants.GrantAsync(admin, new
            {
                userId = user.Id, clusterId, scope = "Cluster", role = "view", validUntil = first.Clock.GetUtcNow().AddHours(1), reason = "weekend",
            }))["grant"]!["id"]!;
            await Grants.WaitForStateAsync(user.Client, id, "Active");
            kube = Grants.Client(await Grants.KubeconfigAsync(user.Client, id));
        }
        var database = first.ConnectionString;
        await first.DisposeAsync();

        // Cocktail comes back two hours later: the grant ended meanwhile.
        await using var second = new ClockedAccessApp(DateTimeOffset.UtcNow.AddHours(2));
        second.WithDatabase(database);
        await second.InitializeAsync();

        await Eventually.TrueAsync(() => RefusedAsync(kube), TimeSpan.FromSeconds(20), "the token to be refused after the restart");
        using var again = await second.AsAdminAsync();
        await Grants.WaitForStateAsync(again, id, "Expired");
        kube.Dispose();
    }

    private static async Task<bool> RefusedAsync(IKubernetes kube)
    {
        try
        {
            await kube.CoreV1.ListNamespacedPodAsync("default");
            return false;
        }
        catch (HttpOperationException e)
        {
            return e.Response.StatusCode == HttpStatusCode.Unauthorized;
        }
    }
}
