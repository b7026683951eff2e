using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Security;

/// <summary>
/// The inputs that took the process down or answered 500 (issue 10): each is now a 400 (413 for a body over the
/// limit) that names the field, and the process keeps answering.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class BadInputTests(FuzzApp app)
{
    private HttpClient Admin => app.Admin;
    private string MapId => app.Ids["service-maps"];

    public static TheoryData<string> HostileYaml() => new(RequestFuzzer.HostileYaml().Select(y => y.Name));

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task hostile_workload_yaml_is_refused_on_the_yaml_field(string name)
    {
        var yaml = RequestFuzzer.HostileYaml().Single(y => y.Name == name).Yaml;

        var response = await Admin.PostAsJsonAsync($"/api/v1/service-maps/{MapId}/workloads", new { yaml });

        await AssertFieldAsync(response, "yaml");
        await AssertAliveAsync();
    }

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task a_hostile_kubeconfig_is_refused_on_the_kubeconfig_field(string name)
    {
        var kubeconfig = RequestFuzzer.HostileYaml().Single(y => y.Name == name).Yaml;

        var registered = await Admin.PostAsJsonAsync("/api/v1/clusters", new { name = "deep", provider = "BareMetal", kubeconfig });
        var rotated = await Admin.PutAsJsonAsync($"/api/v1/clusters/{app.Ids["clusters"]}/credentials", new { kubeconfig });

        await AssertFieldAsync(registered, "kubeconfig");
        await AssertFieldAsync(rotated, "kubeconfig");
        await AssertAliveAsync();
    }

    [Fact]
    public async Task a_workload_yaml_that_names_a_namespace_is_refused()
    {
        var yaml = RequestFuzzer.ValidYaml.Replace("  name: fuzzed\n", "  name: fuzzed\n  namespace: kube-system\n");

        var response = await Admin.PostAsJsonAsync($"/api/v1/service-maps/{MapId}/workloads", new { yaml });

        var errors = await AssertFieldAsync(response, "yaml");
        Assert.Contains("metadata.namespace", errors.ToJsonString());
    }

    [Fact]
    public async Task U0000_in_a_body_string_or_a_query_value_is_refused_on_its_field()
    {
        var body = await Admin.PatchAsJsonAsync($"/api/v1/workspaces/{app.Ids["workspaces"]}", new { description = "team\0" });
        var workload = System.Text.Json.JsonSerializer.SerializeToNode(Workloads.Workloads.Web())!.AsObject();
        workload["name"] = "nul";
        workload["containers"]![0]!["env"]![0]!["value"] = "production\0";
        var nested = await Admin.PostAsync($"/api/v1/service-maps/{MapId}/workloads", Json(workload));
        // Not through POST /auth/tokens, which a rate limit per client address may answer first with 429.
        var user = await Admin.PostAsJsonAsync("/api/v1/users",
            new { userName = $"nul-{Guid.NewGuid():N}"[..12], displayName = "Nul\0", password = "a-long-enough-password", role = "User" });
        var query = await Admin.GetAsync("/api/v1/users?search=ad%00min");

        await AssertFieldAsync(body, "description");
        await AssertFieldAsync(nested, "containers[0].env[0].value");
        await AssertFieldAsync(user, "displayName");
        await AssertFieldAsync(query, "search");
    }

    [Fact]
    public async Task the_all_zero_guid_is_not_an_id_in_the_route_the_query_or_the_body()
    {
        var route = await Admin.GetAsync($"/api/v1/workspaces/{Guid.Empty}");
        var query = await Admin.GetAsync($"/api/v1/access-grants?clusterId={Guid.Empty}");
        var body = await Admin.PostAsJsonAsync($"/api/v1/workspaces/{app.Ids["workspaces"]}/members", new { userId = Guid.Empty, role = "Viewer" });

        await AssertFieldAsync(route, "id");
        await AssertFieldAsync(query, "clusterId");
        await AssertFieldAsync(body, "userId");
    }

    [Fact]
    public async Task a_page_past_any_offset_the_database_takes_is_refused()
    {
        var response = await Admin.GetAsync("/api/v1/users?page=2147483647");
        var last = await Admin.GetAsync("/api/v1/users?page=4294967&pageSize=500");

        await AssertFieldAsync(response, "page");
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Empty((await last.BodyAsync())["items"]!.AsArray());
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(1e15)]
    [InlineData(-1)]
    public async Task an_access_request_for_more_hours_than_time_holds_is_refused(double hours)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/access-requests",
            new { clusterId = app.Ids["clusters"], scope = "Cluster", role = "view", durationHours = hours, reason = "forever" });

        await AssertFieldAsync(response, "durationHours");
    }

    [Theory]
    [InlineData("scope")]
    [InlineData("role")]
    public async Task an_access_request_or_grant_without_scope_or_role_is_refused_not_defaulted(string missing)
    {
        var request = new JsonObject
        {
            ["clusterId"] = app.Ids["clusters"], ["scope"] = "Cluster", ["role"] = "view", ["durationHours"] = 1, ["reason"] = "look",
        };
        request.Remove(missing);
        var grant = new JsonObject
        {
            ["userId"] = app.Ids["members"], ["clusterId"] = app.Ids["clusters"], ["scope"] = "Cluster", ["role"] = "view",
            ["validUntil"] = DateTimeOffset.UtcNow.AddHours(1), ["reason"] = "look",
        };
        grant.Remove(missing);

        await AssertFieldAsync(await Admin.PostAsync("/api/v1/access-requests", Json(request)), missing);
        await AssertFieldAsync(await Admin.PostAsync("/api/v1/access-grants", Json(grant)), missing);
    }

    [Theory]
    [InlineData("""{"bad key!":"x"}""")]
    [InlineData("""{"app":"a value that is far longer than the sixty-three characters a label value may have"}""")]
    [InlineData("""{"-app":"x"}""")]
    [InlineData("""{"app":"-x"}""")]
    [InlineData("""{"Example.COM/app":"x"}""")]
    public async Task workload_labels_follow_the_kubernetes_syntax(string labels)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Workloads.Workloads.Web())!.AsObject();
        body["name"] = "labelled";
        body["labels"] = JsonNode.Parse(labels);

        var response = await Admin.PostAsync($"/api/v1/service-maps/{MapId}/workloads", Json(body));

        await AssertFieldAsync(response, "labels");
    }

    [Fact]
    public async Task a_workload_environment_has_kubernetes_sized_limits()
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Workloads.Workloads.Web())!.AsObject();
        body["name"] = "envy";
        body["containers"]![0]!["env"] = new JsonArray(Enumerable.Range(0, 300)
            .Select(i => (JsonNode?)new JsonObject { ["name"] = $"V{i}", ["value"] = new string('x', 1024) }).ToArray());

        var response = await Admin.PostAsync($"/api/v1/service-maps/{MapId}/workloads", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.BodyAsync())["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key.EndsWith("env", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_chunked_body_over_the_limit_gets_413()
    {
        var huge = "{\"description\":\"" + new string('x', 5 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/workspaces/{app.Ids["workspaces"]}")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        var response = await Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (int?)(await response.BodyAsync())["status"]);
        await AssertAliveAsync();
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonObject> AssertFieldAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} answered {(int)response.StatusCode}: {text}");
        var errors = JsonNode.Parse(text)!["errors"]?.AsObject();
        Assert.True(errors?[field] is not null, $"no error on '{field}' in {text}");
        return errors!;
    }

    private async Task AssertAliveAsync()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
