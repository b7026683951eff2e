using System.Net;
using System.Net.Http.Json;
using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// A member of workspace A asks for workspace B's objects by id, on every read and write endpoint: the answer is
/// 403 or 404, and nothing in it names B or its objects.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class IsolationMatrixTests(TenancyApp app)
{
    [Fact]
    public async Task a_member_of_one_workspace_learns_nothing_about_another()
    {
        await using var a = await Tenancy.CreateAsync(app);
        await using var b = await Tenancy.CreateAsync(app);
        var bMap = await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "secret-" + Guid.NewGuid().ToString("N")[..6]);
        var bMapId = (string)bMap["id"]!;
        var requested = await b.Developer.Client.PostAsJsonAsync("/api/v1/quota-requests", new
        {
            workspaceId = b.WorkspaceId, clusterId = b.ClusterId, quota = new { cpu = "16" }, reason = "b's plans",
        });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode); // or the approve/reject rows below would test a missing id
        var bRequest = await requested.BodyAsync();
        var secrets = new[] { b.WorkspaceName, (string)bMap["name"]!, (string)bMap["namespace"]!, b.Sim.Name, b.WorkspaceAdmin.UserName };

        var calls = new (string Method, string Url, object? Body)[]
        {
            ("GET", $"/api/v1/workspaces/{b.WorkspaceId}", null),
            ("PATCH", $"/api/v1/workspaces/{b.WorkspaceId}", new { description = "mine now" }),
            ("DELETE", $"/api/v1/workspaces/{b.WorkspaceId}", null),
            ("POST", $"/api/v1/workspaces/{b.WorkspaceId}/members", new { userId = a.Developer.Id, role = "WorkspaceAdmin" }),
            ("DELETE", $"/api/v1/workspaces/{b.WorkspaceId}/members/{b.WorkspaceAdmin.Id}", null),
            ("POST", $"/api/v1/workspaces/{b.WorkspaceId}/clusters/{b.ClusterId}", new { mode = "Shared", quota = new { cpu = "1" } }),
            ("PUT", $"/api/v1/workspaces/{b.WorkspaceId}/clusters/{b.ClusterId}", new { mode = "Shared", quota = new { cpu = "1" } }),
            ("DELETE", $"/api/v1/workspaces/{b.WorkspaceId}/clusters/{b.ClusterId}", null),
            ("POST", $"/api/v1/workspaces/{b.WorkspaceId}/service-maps", new { name = "intruder", clusterId = b.ClusterId, quota = new { cpu = "1" } }),
            ("GET", $"/api/v1/workspaces/{b.WorkspaceId}/service-maps", null),
            ("GET", $"/api/v1/service-maps/{bMapId}", null),
            ("GET", $"/api/v1/service-maps/{bMapId}/usage", null),
            ("PATCH", $"/api/v1/service-maps/{bMapId}", new { quota = new { cpu = "1" } }),
            ("DELETE", $"/api/v1/service-maps/{bMapId}?confirm={bMap["namespace"]}", null),
            ("POST", "/api/v1/quota-requests", new { workspaceId = b.WorkspaceId, clusterId = b.ClusterId, quota = new { cpu = "1" }, reason = "x" }),
            ("POST", $"/api/v1/quota-requests/{bRequest["id"]}/approve", null),
            ("POST", $"/api/v1/quota-requests/{bRequest["id"]}/reject", new { reason = "no" }),
            ("GET", $"/api/v1/clusters/{b.ClusterId}", null),
            ("GET", $"/api/v1/clusters/{b.ClusterId}/nodes", null),
            ("GET", $"/api/v1/clusters/{b.ClusterId}/namespaces", null),
            ("GET", $"/api/v1/clusters/{b.ClusterId}/workloads", null),
            ("GET", $"/api/v1/clusters/{b.ClusterId}/pods", null),
            ("GET", $"/api/v1/clusters/{b.ClusterId}/events", null),
        };

        foreach (var member in new[] { a.WorkspaceAdmin, a.Developer, a.Viewer })
        {
            foreach (var (method, url, body) in calls)
            {
                var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body is null ? null : JsonContent.Create(body) };
                var response = await member.Client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                    $"{member.UserName}: {method} {url} answered {(int)response.StatusCode} {text}");
                foreach (var secret in secrets) Assert.DoesNotContain(secret, text);
            }
        }

        var lists = await (await a.Developer.Client.GetAsync("/api/v1/quota-requests")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(b.WorkspaceName, lists);
        Assert.Equal(HttpStatusCode.OK, (await b.Admin.GetAsync($"/api/v1/service-maps/{bMapId}")).StatusCode);
    }
}
