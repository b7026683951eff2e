using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Workloads;

/// <summary>The dry run of a deploy: the same reading, rules and policy as the deploy, answered by field, and nothing deployed.</summary>
[Collection(WorkloadsCollection.Name)]
public sealed class ValidatingWorkloadsTests(AccessApp app)
{
    [Fact]
    public async Task validating_answers_the_deploy_s_field_errors_and_policy_violations_and_deploys_nothing()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var mapId = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "dry-run"))["id"]!;
        (await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { maxReplicas = 3 })).EnsureSuccessStatusCode();
        var url = $"/api/v1/service-maps/{mapId}/workloads/validate";

        var valid = await t.Developer.Client.PostAsJsonAsync(url, Workloads.Web());
        var tooMany = await t.Developer.Client.PostAsJsonAsync(url, Workloads.Web(replicas: 5));
        var unreadable = await t.Developer.Client.PostAsJsonAsync(url, new { yaml = "kind: [unclosed" });
        var noImage = await t.Developer.Client.PostAsJsonAsync(url, Workloads.Web(image: ""));

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        var answer = await valid.BodyAsync();
        Assert.Equal((true, "web", "registry.example.com/shop/web:1.0"),
            ((bool?)answer["valid"], (string?)answer["spec"]!["name"], (string?)answer["spec"]!["containers"]![0]!["image"]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("5 replicas; at most 3 are allowed. [maxReplicas]", (string?)(await tooMany.BodyAsync())["errors"]!["replicas"]![0]);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.StartsWith("The YAML could not be read", (string?)(await unreadable.BodyAsync())["errors"]!["yaml"]![0]);
        Assert.Equal(HttpStatusCode.BadRequest, noImage.StatusCode);
        Assert.NotNull((await noImage.BodyAsync())["errors"]!["containers[0].image"]);

        var workloads = await (await t.Developer.Client.GetAsync($"/api/v1/service-maps/{mapId}/workloads")).BodyAsync();
        Assert.True((int?)workloads["total"] == 0, workloads.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, (await t.Viewer.Client.PostAsJsonAsync(url, Workloads.Web())).StatusCode);
    }

    [Fact]
    public async Task validating_an_update_refuses_a_new_name_as_the_save_would()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var mapId = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "dry-edit"))["id"]!;
        var workloadId = (string)(await Workloads.DeployAsync(t.Developer.Client, mapId, Workloads.Web()))["id"]!;
        var yamlResponse = await t.Developer.Client.GetAsync($"/api/v1/workloads/{workloadId}/yaml");
        var yaml = await yamlResponse.Content.ReadAsStringAsync();
        Assert.True(yamlResponse.IsSuccessStatusCode, $"{workloadId}: {yaml}");
        var url = $"/api/v1/service-maps/{mapId}/workloads/validate?workloadId={workloadId}";

        var same = await t.Developer.Client.PostAsJsonAsync(url, new { yaml = yaml.Replace("web:1.0", "web:1.1") });
        var renamed = await t.Developer.Client.PostAsJsonAsync(url, new { yaml = yaml.Replace("name: web", "name: other") });

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.NotNull((await renamed.BodyAsync())["errors"]!["name"]);
    }
}
