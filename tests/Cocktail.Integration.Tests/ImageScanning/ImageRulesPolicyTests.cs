using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>The image rules of the security policy through the policy API: checked, kept, and tighten-only below the workspace.</summary>
public sealed class ImageRulesPolicyTests(VulnerabilitiesApp app) : IClassFixture<VulnerabilitiesApp>
{
    [Fact]
    public async Task image_rules_out_of_bounds_are_refused_on_their_field_and_change_nothing()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var policy = $"/api/v1/workspaces/{team.WorkspaceId}/policy";
        foreach (var (images, field) in new (object Images, string Field)[]
                 {
                     (new { maxHigh = -1 }, "images.maxHigh"), (new { maxScanAgeDays = 0 }, "images.maxScanAgeDays"),
                     (new { maxScanAgeDays = 3651 }, "images.maxScanAgeDays"),
                 })
        {
            var refused = await team.Admin.PutAsJsonAsync(policy, new { images });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = (await refused.BodyAsync())["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), $"{field} missing in {errors}");
        }
        Assert.Null((await team.Admin.GetFromJsonAsync<JsonObject>(policy))!["images"]);
    }

    [Fact]
    public async Task a_workspaces_image_rules_are_kept_and_a_service_map_may_only_tighten_them()
    {
        await using var team = await Tenancy.Tenancy.CreateAsync(app);
        var set = await team.Admin.PutAsJsonAsync($"/api/v1/workspaces/{team.WorkspaceId}/policy",
            new { images = new { blockCritical = true, maxHigh = 5, requireScan = true } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var kept = (await set.BodyAsync())["images"]!;
        Assert.Equal((true, 5, true, false), ((bool)kept["blockCritical"]!, (int)kept["maxHigh"]!, (bool)kept["requireScan"]!, (bool)kept["onlyWithFix"]!));
        // Members read it (it is what their images must meet).
        Assert.Equal(5, (int)(await team.Viewer.Client.GetFromJsonAsync<JsonObject>($"/api/v1/workspaces/{team.WorkspaceId}/policy"))!["images"]!["maxHigh"]!);

        var map = (string)(await team.CreateServiceMapAsync(team.WorkspaceAdmin.Client, "gate-" + Guid.NewGuid().ToString("N")[..8]))["id"]!;
        var mapPolicy = $"/api/v1/service-maps/{map}/policy";
        var loosening = await team.Admin.PutAsJsonAsync(mapPolicy, new { images = new { maxHigh = 10, onlyWithFix = true } });
        Assert.Equal(HttpStatusCode.BadRequest, loosening.StatusCode);
        var errors = (await loosening.BodyAsync())["errors"]!.AsObject();
        Assert.Equal(["images.blockCritical", "images.maxHigh", "images.onlyWithFix", "images.requireScan"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("at most 5 high", (string)errors["images.maxHigh"]![0]!);

        var tightened = await team.Admin.PutAsJsonAsync(mapPolicy, new { images = new { blockCritical = true, maxHigh = 2, requireScan = true, maxScanAgeDays = 7 } });
        Assert.Equal(HttpStatusCode.OK, tightened.StatusCode);
        var effective = (await tightened.BodyAsync())["effective"]!["images"]!;
        Assert.Equal((true, 2, 7), ((bool)effective["blockCritical"]!, (int)effective["maxHigh"]!, (int)effective["maxScanAgeDays"]!));
    }
}
