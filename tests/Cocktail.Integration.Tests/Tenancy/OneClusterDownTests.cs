using Cocktail.Integration.Tests.Platform;
using k8s;

namespace Cocktail.Integration.Tests.Tenancy;

[Collection(TenancyCollection.Name)]
public sealed class OneClusterDownTests(TenancyApp app)
{
    [Fact]
    public async Task service_maps_on_a_working_cluster_turn_ready_while_another_cluster_is_down_and_its_own_follow_when_it_is_back()
    {
        await using var down = await Tenancy.CreateAsync(app);
        await using var up = await Tenancy.CreateAsync(app);
        await down.Sim.Faults.StopAnsweringAsync();

        // Enough work on the dead cluster to open its circuit, and some on the working one at the same time.
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++) waiting.Add((string)(await down.CreateServiceMapAsync(down.WorkspaceAdmin.Client, $"waits-{i}"))["id"]!);
        var working = new List<string>();
        for (var i = 0; i < 3; i++) working.Add((string)(await up.CreateServiceMapAsync(up.WorkspaceAdmin.Client, $"works-{i}"))["id"]!);

        foreach (var id in working) await up.WaitForStatusAsync(id, "Ready");
        using (var kube = up.Kube())
            Assert.Equal("works-2", (await kube.CoreV1.ReadNamespaceAsync("works-2")).Metadata.Name);
        foreach (var id in waiting)
            Assert.Equal("Pending", (string?)(await (await down.Admin.GetAsync($"/api/v1/service-maps/{id}")).BodyAsync())["status"]);

        await down.Sim.Faults.ResumeAsync();
        foreach (var id in waiting) await down.WaitForStatusAsync(id, "Ready", seconds: 40);
        using (var kube = down.Kube())
            Assert.Equal("waits-0", (await kube.CoreV1.ReadNamespaceAsync("waits-0")).Metadata.Name);
    }
}
