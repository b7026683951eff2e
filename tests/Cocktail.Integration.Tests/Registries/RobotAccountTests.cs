using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Registries;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>
/// Robot accounts against the real registry and skopeo: a workspace admin makes them (the password shown once), they
/// push or pull by their permission in their own workspace only, and from their revocation or expiry on the token
/// server refuses them.
/// </summary>
public sealed class RobotAccountTests(RegistryApp app) : IClassFixture<RegistryApp>
{
    public static async Task<(string Id, string UserName, string Password)> CreateRobotAsync(HttpClient as_, RegistryWorkspace team, string name,
        string permission, DateTimeOffset? validUntil = null)
    {
        var response = await as_.PostAsJsonAsync($"/api/v1/workspaces/{team.Id}/robot-accounts", new { name, permission, validUntil });
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return ((string)body["robotId"]!, (string)body["userName"]!, TestSecrets.Remember((string)body["password"]!));
    }

    [SkippableFact]
    public async Task a_push_robot_pushes_and_a_pull_robot_pulls_but_may_not_push()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var pusher = await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "ci-push", "PushPull");
        var puller = await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "cluster-pull", "Pull");
        Assert.Equal($"robot${team.Name}+ci-push", pusher.UserName);
        using var client = new RegistryClient(registry);

        var pushed = await client.PushAsync(team.Repository("app"), "v1", pusher.UserName, pusher.Password);
        Assert.True(pushed.Succeeded, $"{pushed}\n{registry.Output}");
        var pulled = await client.PullAsync(team.Repository("app"), "v1", puller.UserName, puller.Password);
        Assert.True(pulled.Succeeded, $"{pulled}\n{registry.Output}");
        var refused = await client.PushAsync(team.Repository("app"), "v2", puller.UserName, puller.Password);
        Assert.False(refused.Succeeded);

        var listed = (await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.Id}/robot-accounts"))!;
        Assert.Equal(["cluster-pull", "ci-push"], listed.Select(r => (string)r!["name"]!));
        Assert.DoesNotContain(pusher.Password, listed.ToJsonString());
        Assert.All(listed, r => Assert.Equal(team.WorkspaceAdmin.UserName, (string)r!["createdBy"]!));
    }

    [SkippableFact]
    public async Task a_revoked_robot_is_refused_from_its_next_request_on()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var robot = await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "deploy", "PushPull");
        using var client = new RegistryClient(registry);
        Assert.True((await client.PushAsync(team.Repository("svc"), "v1", robot.UserName, robot.Password)).Succeeded);

        Assert.Equal(HttpStatusCode.Forbidden, (await team.Developer.Client.PostAsJsonAsync($"/api/v1/robot-accounts/{robot.Id}/revoke", new { reason = "mine" })).StatusCode);
        var revoked = await team.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/robot-accounts/{robot.Id}/revoke", new { reason = "leaked in a log" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        Assert.False((await client.PullAsync(team.Repository("svc"), "v1", robot.UserName, robot.Password)).Succeeded);
        using var anonymous = app.Anonymous();
        var token = await RegistryTokens.RequestAsync(anonymous, robot.UserName, robot.Password, $"repository:{team.Repository("svc")}:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        var listed = (await team.WorkspaceAdmin.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.Id}/robot-accounts"))!;
        Assert.Equal("leaked in a log", (string)listed[0]!["revokeReason"]!);
    }

    [Fact]
    public async Task a_robot_stops_working_when_its_validity_ends_and_its_expiry_is_recorded()
    {
        var team = await RegistryWorkspace.CreateAsync(app);
        var robot = await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "short", "Pull", DateTimeOffset.UtcNow.AddSeconds(3));
        using var anonymous = app.Anonymous();
        var scope = $"repository:{team.Repository("svc")}:pull";
        Assert.Equal(HttpStatusCode.OK, (await RegistryTokens.RequestAsync(anonymous, robot.UserName, robot.Password, scope)).StatusCode);

        await Eventually.TrueAsync(async () =>
            (await RegistryTokens.RequestAsync(anonymous, robot.UserName, robot.Password, scope)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(20), "the robot to be refused once its validity ended");
        await Eventually.TrueAsync(async () =>
        {
            var listed = (await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.Id}/robot-accounts"))!;
            return listed[0]!["expiredAt"] is not null;
        }, TimeSpan.FromSeconds(60), "the robot's expiry to be recorded");
    }

    [Fact]
    public async Task bad_robot_requests_get_field_errors_and_only_workspace_admins_make_robots()
    {
        var team = await RegistryWorkspace.CreateAsync(app);
        var other = await RegistryWorkspace.CreateAsync(app);
        var url = $"/api/v1/workspaces/{team.Id}/robot-accounts";

        var badName = await team.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "Robot$One", permission = "Pull" });
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.NotNull((await badName.BodyAsync())["errors"]!["name"]);
        var tooLong = await team.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "ci", permission = "Pull", validUntil = DateTimeOffset.UtcNow.AddDays(91) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("90", (string)(await tooLong.BodyAsync())["errors"]!["validUntil"]![0]!);
        var past = await team.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "ci", permission = "Pull", validUntil = DateTimeOffset.UtcNow.AddDays(-1) });
        Assert.NotNull((await past.BodyAsync())["errors"]!["validUntil"]);
        var noPermission = await team.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "ci" });
        Assert.NotNull((await noPermission.BodyAsync())["errors"]!["permission"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await team.Developer.Client.PostAsJsonAsync(url, new { name = "ci", permission = "Pull" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.Viewer.Client.PostAsJsonAsync(url, new { name = "ci", permission = "Pull" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "ci", permission = "Pull" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.WorkspaceAdmin.Client.GetAsync(url)).StatusCode);
        Assert.Empty((await team.Viewer.Client.GetFromJsonAsync<JsonArray>(url))!);

        // A name in use by a live robot is refused; once that robot is revoked the name is free again.
        var first = await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "deploy", "Pull");
        var twin = await team.WorkspaceAdmin.Client.PostAsJsonAsync(url, new { name = "deploy", permission = "PushPull" });
        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        Assert.Contains("already has a robot named deploy", (string)(await twin.BodyAsync())["errors"]!["name"]![0]!);
        Assert.Single((await team.Viewer.Client.GetFromJsonAsync<JsonArray>(url))!);
        Assert.Equal(HttpStatusCode.OK, (await team.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/robot-accounts/{first.Id}/revoke", new { reason = "leaked" })).StatusCode);
        await CreateRobotAsync(team.WorkspaceAdmin.Client, team, "deploy", "Pull");
    }

    [SkippableFact]
    public async Task robots_cocktail_issues_for_itself_work_until_cocktail_revokes_them()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var robots = app.Services.GetRequiredService<IRobotAccounts>();
        var issued = await robots.IssueAsync(Guid.Parse(team.Id), "build-1", RobotPermission.PushPull, DateTimeOffset.UtcNow.AddHours(1),
            ActorRef.System, "build 1 of web", CancellationToken.None);
        TestSecrets.Remember(issued.Password);
        using var client = new RegistryClient(registry);
        Assert.True((await client.PushAsync(team.Repository("web"), "b1", issued.UserName, issued.Password)).Succeeded);

        await robots.RevokeAsync(issued.RobotId, ActorRef.System, "build 1 ended", CancellationToken.None);
        Assert.False((await client.PushAsync(team.Repository("web"), "b2", issued.UserName, issued.Password)).Succeeded);
        var listed = (await team.Viewer.Client.GetFromJsonAsync<JsonArray>($"/api/v1/workspaces/{team.Id}/robot-accounts"))!;
        Assert.Equal(("build 1 of web", "system", "build 1 ended"),
            ((string)listed[0]!["purpose"]!, (string)listed[0]!["createdBy"]!, (string)listed[0]!["revokeReason"]!));
    }
}
