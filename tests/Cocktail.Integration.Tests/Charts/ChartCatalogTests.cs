using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Charts;
using Cocktail.Testing.Registry;

namespace Cocktail.Integration.Tests.Charts;

/// <summary>Cocktail re-reading chart repositories every second, without image scanning.</summary>
public sealed class ChartCatalogApp : CocktailApp
{
    public ChartCatalogApp()
    {
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:ChartRepositories:RefreshInterval", "00:00:01");
    }
}

/// <summary>Two workspaces, each with one member, and the platform admin.</summary>
public sealed record CatalogTeams(HttpClient Admin, string A, HttpClient AMember, string B, HttpClient BMember)
{
    public static async Task<CatalogTeams> CreateAsync(CocktailApp app)
    {
        var admin = await app.AsAdminAsync();
        async Task<(string, HttpClient)> Team()
        {
            var name = $"ws-{Guid.NewGuid():N}"[..11];
            var workspace = await (await admin.PostAsJsonAsync("/api/v1/workspaces", new { name })).BodyAsync();
            var member = await app.CreateUserAsync();
            (await admin.PostAsJsonAsync($"/api/v1/workspaces/{workspace["id"]}/members", new { userId = member.Id, role = "Developer" })).EnsureSuccessStatusCode();
            return ((string)workspace["id"]!, member.Client);
        }
        var (a, aMember) = await Team();
        var (b, bMember) = await Team();
        return new CatalogTeams(admin, a, aMember, b, bMember);
    }
}

public sealed class ChartCatalogTests(ChartCatalogApp app) : IClassFixture<ChartCatalogApp>
{
    private static readonly TestChart Podinfo = new("podinfo", "6.5.0")
    {
        Description = "Podinfo is a tiny web application", Keywords = ["demo", "web"], AppVersion = "6.5.0",
        Values = "replicaCount: 1\nimage:\n  tag: 6.5.0\n", Readme = "# Podinfo\nA tiny web app.",
        Schema = """{"type":"object","properties":{"replicaCount":{"type":"integer","minimum":1}}}""",
    };

    private static string Name() => $"charts-{Guid.NewGuid():N}"[..16];

    private static async Task<JsonNode> AddAsync(HttpClient admin, string name, string url, object visibility, string kind = "Http", string[]? charts = null)
    {
        var body = JsonSerializerHelpers.Merge(new { name, kind, url, charts, reason = "team catalog" }, visibility);
        var response = await admin.PostAsJsonAsync("/api/v1/chart-repositories", body);
        var json = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToJsonString());
        return json;
    }

    private static async Task<JsonNode> SearchAsync(HttpClient client, string workspace, string? q = null) =>
        await (await client.GetAsync($"/api/v1/workspaces/{workspace}/charts?q={Uri.EscapeDataString(q ?? "")}")).BodyAsync();

    private static IEnumerable<string> Charts(JsonNode page) => page["items"]!.AsArray().Select(i => $"{i!["repositoryName"]}/{i["chart"]}@{i["latestVersion"]}");

    [Fact]
    public async Task a_repository_visible_to_one_workspace_lists_its_charts_there_only()
    {
        await using var repo = await ChartRepositoryServer.StartAsync(Podinfo, Podinfo with { Version = "6.4.0" }, Podinfo with { Version = "6.6.0-rc.1" },
            new TestChart("redis", "18.1.0") { Description = "In-memory data store", Keywords = ["cache"] });
        var teams = await CatalogTeams.CreateAsync(app);
        var name = Name();
        var added = await AddAsync(teams.Admin, name, repo.Url, new { allWorkspaces = false, workspaceIds = new[] { teams.A } });
        Assert.Equal(2, (int?)added["refresh"]!["charts"]);
        Assert.Equal(4, (int?)added["refresh"]!["versions"]);

        // Other tests' repositories are visible to every workspace: look at this one's charts.
        IEnumerable<string> Mine(JsonNode page) => Charts(page).Where(c => c.StartsWith(name + "/", StringComparison.Ordinal));
        Assert.Equal([$"{name}/podinfo@6.5.0", $"{name}/redis@18.1.0"], Mine(await SearchAsync(teams.AMember, teams.A)));
        Assert.Equal([$"{name}/podinfo@6.5.0"], Mine(await SearchAsync(teams.AMember, teams.A, "WEB")));
        Assert.Equal([$"{name}/redis@18.1.0"], Mine(await SearchAsync(teams.AMember, teams.A, "memory")));
        Assert.Empty(Mine(await SearchAsync(teams.BMember, teams.B)));
        Assert.Equal(HttpStatusCode.NotFound, (await teams.BMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await teams.BMember.GetAsync($"/api/v1/workspaces/{teams.B}/charts/{name}/podinfo")).StatusCode);

        var detail = await (await teams.AMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts/{name}/podinfo")).BodyAsync();
        Assert.Equal("6.5.0", (string?)detail["version"]);
        Assert.Equal(["6.6.0-rc.1", "6.5.0", "6.4.0"], detail["versions"]!.AsArray().Select(v => (string?)v!["version"]));
        Assert.Equal("# Podinfo\nA tiny web app.", (string?)detail["package"]!["readme"]);
        Assert.Equal("replicaCount: 1\nimage:\n  tag: 6.5.0\n", (string?)detail["package"]!["defaultValuesYaml"]);
        Assert.Contains("minimum", (string?)detail["package"]!["valuesSchemaJson"]);
        var older = await (await teams.AMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts/{name}/podinfo?version=6.4.0")).BodyAsync();
        Assert.Equal("6.4.0", (string?)older["package"]!["version"]);
        var missing = await teams.AMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts/{name}/podinfo?version=9.9.9");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("has no version 9.9.9", (string?)(await missing.BodyAsync())["detail"]);

        // Members see the names of the repositories visible to them, never their URLs; strangers not even that.
        var listed = (await (await teams.AMember.GetAsync("/api/v1/chart-repositories")).BodyAsync()).AsArray().Single(r => (string?)r!["name"] == name)!;
        Assert.Null(listed["url"]);
        Assert.DoesNotContain(name, (await (await teams.BMember.GetAsync("/api/v1/chart-repositories")).Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task a_url_that_does_not_answer_or_serves_no_index_is_refused_on_the_url_field_and_nothing_is_recorded()
    {
        var teams = await CatalogTeams.CreateAsync(app);
        var name = Name();
        var closed = FreePort();
        var refused = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Http", url = $"http://127.0.0.1:{closed}/charts", allWorkspaces = true });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("did not answer", (string?)(await refused.BodyAsync())["errors"]!["url"]![0]);

        await using var broken = await ChartRepositoryServer.StartAsync(Podinfo);
        broken.BrokenIndex = true;
        var unparsable = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Http", url = broken.Url, allWorkspaces = true });
        Assert.Equal(HttpStatusCode.BadRequest, unparsable.StatusCode);
        Assert.Contains("not a chart repository index", (string?)(await unparsable.BodyAsync())["errors"]!["url"]![0]);

        var ftp = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Http", url = "ftp://charts.example.com", allWorkspaces = true });
        Assert.Contains("http://", (string?)(await ftp.BodyAsync())["errors"]!["url"]![0]);
        var oci = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Oci", url = "https://ghcr.io/x", charts = new[] { "a" }, allWorkspaces = true });
        Assert.Contains("oci://", (string?)(await oci.BodyAsync())["errors"]!["url"]![0]);
        var unknownWorkspace = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Http", url = broken.Url, workspaceIds = new[] { Guid.NewGuid() } });
        Assert.NotNull((await unknownWorkspace.BodyAsync())["errors"]!["workspaceIds"]);

        var list = await (await teams.Admin.GetAsync("/api/v1/chart-repositories")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(name, list);
    }

    [Fact]
    public async Task visibility_changes_and_removal_show_and_hide_the_charts_and_a_name_is_unique()
    {
        await using var repo = await ChartRepositoryServer.StartAsync(Podinfo);
        var teams = await CatalogTeams.CreateAsync(app);
        var name = Name();
        var id = (string)(await AddAsync(teams.Admin, name, repo.Url, new { workspaceIds = new[] { teams.A } }))["id"]!;

        var again = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories", new { name, kind = "Http", url = repo.Url, allWorkspaces = true });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.NotNull((await again.BodyAsync())["errors"]!["name"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await teams.AMember.PutAsJsonAsync($"/api/v1/chart-repositories/{id}/visibility", new { allWorkspaces = true })).StatusCode);

        var changed = await teams.Admin.PutAsJsonAsync($"/api/v1/chart-repositories/{id}/visibility", new { allWorkspaces = true, reason = "everyone" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([$"{name}/podinfo@6.5.0"], Charts(await SearchAsync(teams.BMember, teams.B)).Where(c => c.StartsWith(name, StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.NoContent, (await teams.Admin.DeleteAsync($"/api/v1/chart-repositories/{id}?reason=retired")).StatusCode);
        Assert.DoesNotContain(Charts(await SearchAsync(teams.AMember, teams.A)), c => c.StartsWith(name, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await teams.AMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts/{name}/podinfo")).StatusCode);

        var audit = await (await teams.Admin.GetAsync($"/api/v1/audit/events?streamId={id}")).Content.ReadAsStringAsync();
        Assert.Contains($"made the chart repository {name} visible to every workspace instead of the workspace", audit);
        Assert.Contains($"removed the chart repository {name}: retired", audit);
    }

    [Fact]
    public async Task new_versions_appear_on_demand_and_on_the_leaders_schedule_and_a_broken_index_keeps_the_last_listing()
    {
        await using var repo = await ChartRepositoryServer.StartAsync(Podinfo);
        var teams = await CatalogTeams.CreateAsync(app);
        var name = Name();
        var id = (string)(await AddAsync(teams.Admin, name, repo.Url, new { allWorkspaces = true }))["id"]!;

        repo.Add(Podinfo with { Version = "6.7.0" });
        var refreshed = await (await teams.Admin.PostAsync($"/api/v1/chart-repositories/{id}/refresh", null)).BodyAsync();
        Assert.Equal(2, (int?)refreshed["versions"]);
        Assert.Contains($"{name}/podinfo@6.7.0", Charts(await SearchAsync(teams.AMember, teams.A, "podinfo")));

        repo.Add(Podinfo with { Version = "6.8.0" });
        await Eventually.GetAsync(async () => Charts(await SearchAsync(teams.AMember, teams.A, "podinfo")).ToList(),
            charts => charts.Contains($"{name}/podinfo@6.8.0"), because: "the scheduled refresh reading the new version");

        repo.BrokenIndex = true;
        var failed = await (await teams.Admin.PostAsync($"/api/v1/chart-repositories/{id}/refresh", null)).BodyAsync();
        Assert.Contains("not a chart repository index", (string?)failed["error"]);
        Assert.Contains($"{name}/podinfo@6.8.0", Charts(await SearchAsync(teams.AMember, teams.A, "podinfo")));
        Assert.Equal(HttpStatusCode.Forbidden, (await teams.AMember.PostAsync($"/api/v1/chart-repositories/{id}/refresh", null)).StatusCode);
    }

    [SkippableFact]
    public async Task an_oci_registry_lists_the_named_charts_and_serves_their_packages()
    {
        Skip.IfNot(RegistryServer.Available, RegistryServer.MissingReason);
        await using var registry = await RegistryServer.StartAsync(new RegistrySettings());
        await OciCharts.PushAsync(registry.Authority, "charts", Podinfo);
        var pushed = await OciCharts.PushAsync(registry.Authority, "charts", Podinfo with { Version = "6.6.0" });
        var teams = await CatalogTeams.CreateAsync(app);
        var name = Name();

        await AddAsync(teams.Admin, name, pushed.RepositoryUrl, new { allWorkspaces = true }, "Oci", ["podinfo"]);

        Assert.Equal([$"{name}/podinfo@6.6.0"], Charts(await SearchAsync(teams.AMember, teams.A, "podinfo")).Where(c => c.StartsWith(name, StringComparison.Ordinal)));
        var detail = await (await teams.AMember.GetAsync($"/api/v1/workspaces/{teams.A}/charts/{name}/podinfo?version=6.5.0")).BodyAsync();
        Assert.Equal("# Podinfo\nA tiny web app.", (string?)detail["package"]!["readme"]);
        Assert.Equal(["6.6.0", "6.5.0"], detail["versions"]!.AsArray().Select(v => (string?)v!["version"]));

        var missing = await teams.Admin.PostAsJsonAsync("/api/v1/chart-repositories",
            new { name = Name(), kind = "Oci", url = pushed.RepositoryUrl, charts = new[] { "nothing-here" }, allWorkspaces = true });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.NotNull((await missing.BodyAsync())["errors"]!["url"]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class JsonSerializerHelpers
{
    /// <summary>The properties of both objects in one JSON object.</summary>
    public static JsonObject Merge(object first, object second)
    {
        var a = System.Text.Json.JsonSerializer.SerializeToNode(first)!.AsObject();
        foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(second)!.AsObject()) a[key] = value?.DeepClone();
        return a;
    }
}
