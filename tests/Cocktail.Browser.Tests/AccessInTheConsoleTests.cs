using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Audit;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

[Collection(SecondBrowserCollection.Name)]
public sealed class AccessInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // The grant is set up on the cluster right after approval; My access re-reads itself every 2 s while something settles.
    private static readonly LocatorAssertionsToHaveTextOptions Settled = new() { Timeout = 20_000 };

    private KubeSimCluster _sim = default!;
    private Guid _clusterId;
    private readonly List<string> _files = [];

    public async Task InitializeAsync()
    {
        _sim = await Sims.StartAsync(nodes: 1, pods: 0);
        using var admin = await browser.App.AsAdminAsync();
        _clusterId = await Sims.RegisterAsync(admin, _sim);
    }

    public async Task DisposeAsync()
    {
        await Sims.RetireAsync(browser.App, _sim);
        foreach (var file in _files) File.Delete(file);
    }

    [Fact]
    public async Task a_user_requests_access_an_admin_approves_it_in_the_inbox_and_the_user_downloads_a_kubeconfig_that_works()
    {
        var user = await browser.App.CreateUserAsync();
        await MemberOfAWorkspaceWithTheClusterAsync(user);

        var page = await browser.SignedInAsync(user.UserName, user.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "My access", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My access" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("my-grants").GetByTestId("empty-state")).ToContainTextAsync("No access yet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Request access" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Autocomplete.ChooseAsync(page, dialog.GetByLabel("Cluster", new() { Exact = true }), _sim.Name);
        await dialog.GetByTestId("access-role").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "edit", Exact = true }).ClickAsync();
        await dialog.GetByLabel("Duration (hours)").FillAsync("2");
        await dialog.GetByLabel("Reason").FillAsync("Debug the checkout outage");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Request" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        var request = page.GetByTestId("my-requests").Locator("tr").Filter(new() { HasText = "Debug the checkout outage" });
        await Expect(request.GetByTestId("request-state")).ToHaveTextAsync("Pending");

        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Requests", Exact = true }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Access requests" })).ToBeVisibleAsync();
        var row = admin.Locator("tr").Filter(new() { HasText = user.UserName });
        await Expect(row).ToContainTextAsync("Debug the checkout outage");
        await Expect(row).ToContainTextAsync("2 h");
        await row.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(admin.GetByText($"Approved: {user.UserName} has edit access to {_sim.Name} (whole cluster) for 2 h.")).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0);

        // The user's page was left open: the decision and the grant arrive without a reload.
        await Expect(request.GetByTestId("request-state")).ToHaveTextAsync("Approved", Settled);
        await Expect(request).ToContainTextAsync($"by {CocktailApp.AdminUserName}");
        var grant = page.GetByTestId("my-grants").Locator("tr").Filter(new() { HasText = _sim.Name });
        await Expect(grant.GetByTestId("grant-role")).ToHaveTextAsync("edit");
        await Expect(grant.GetByTestId("grant-state")).ToHaveTextAsync("Active", Settled);
        await Expect(page.GetByTestId("token-lifetime")).ToContainTextAsync("lives at most 24 h");

        var download = await page.RunAndWaitForDownloadAsync(() => grant.GetByTestId("download-kubeconfig").ClickAsync());
        Assert.Equal($"{_sim.Name}-{user.UserName}.kubeconfig", download.SuggestedFilename);
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.kubeconfig");
        _files.Add(path);
        await download.SaveAsAsync(path);
        var kubeconfig = await File.ReadAllTextAsync(path);
        Assert.Contains($"server: {_sim.Server}", kubeconfig);
        var token = kubeconfig.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        Assert.NotEmpty(token);
        Assert.Equal(HttpStatusCode.OK, await ListConfigMapsAsync(token));
        await page.ReloadAsync();
        await Expect(grant).ToContainTextAsync("last download");
    }

    [Fact]
    public async Task an_auditor_finds_a_grant_s_request_in_the_cluster_s_audit_log_with_the_cocktail_user_and_the_object_sent()
    {
        using var admin = await browser.App.AsAdminAsync();
        var created = await admin.PostAsync($"/api/v1/clusters/{_clusterId}/audit-webhook/rotate", null);
        var webhook = JsonNode.Parse(await created.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        await _sim.Audit.ConfigureAsync(new AuditOptions
        {
            WebhookKubeconfigYaml = (string)webhook["kubeconfig"]!, Level = AuditLevel.Request, BatchMaxWait = TimeSpan.FromMilliseconds(200),
        });
        var user = await browser.App.CreateUserAsync();
        var grant = await SendAsync(admin, "/api/v1/access-grants", new
        {
            userId = user.Id, clusterId = _clusterId, scope = "Cluster", role = "edit", validUntil = DateTimeOffset.UtcNow.AddHours(3), reason = "fix the config",
        });
        var grantId = (string)grant["grant"]!["id"]!;
        await Eventually.TrueAsync(async () => (string?)JsonNode.Parse(await user.Client.GetStringAsync($"/api/v1/access-grants/{grantId}"))!["state"] == "Active",
            because: "the grant set up on the cluster");
        var kubeconfig = await user.Client.GetStringAsync($"/api/v1/access-grants/{grantId}/kubeconfig");
        var token = kubeconfig.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        Assert.Equal(HttpStatusCode.Created, await CreateConfigMapAsync(token, "feature-flags"));
        // The API server sends its audit batch within a moment; the page is opened once Cocktail has it.
        await Eventually.TrueAsync(async () => JsonNode.Parse(await admin.GetStringAsync(
                $"/api/v1/clusters/{_clusterId}/audit?window=1h&cocktailUser={user.UserName}&verb=create"))!["items"]!.AsArray().Count > 0,
            because: "the create in Cocktail's audit log");

        var auditor = await browser.App.CreateUserAsync(role: "Auditor");
        var page = await browser.SignedInAsync(auditor.UserName, auditor.Password);
        await page.GotoAsync($"/clusters/{_clusterId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Kubernetes audit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Kubernetes audit · {_sim.Name}" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("audit-webhook")).ToHaveCountAsync(0);
        await page.GetByLabel("Cocktail user").FillAsync(user.UserName);
        await page.GetByLabel("Verb").FillAsync("create");
        await page.GetByTestId("audit-search").ClickAsync();

        var row = page.GetByTestId("audit-table").Locator("tr").Filter(new() { HasText = "feature-flags" });
        await Expect(row.GetByTestId("audit-verb")).ToHaveTextAsync("create");
        await Expect(row.GetByTestId("audit-cocktail-user")).ToHaveTextAsync(user.UserName);
        await Expect(row).ToContainTextAsync("configmaps");
        await Expect(row).ToContainTextAsync("201");
        await row.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        // The dialog reads the whole record from the store; under the full suite on 2 cores that passed 15 s once.
        await Expect(dialog.GetByTestId("audit-detail-cocktail")).ToContainTextAsync($"user {user.UserName} through grant {grantId[..8]}", new() { Timeout = 40_000 });
        await Expect(dialog.GetByTestId("json-request-object")).ToContainTextAsync("\"mode\": \"canary\"");
        await Expect(dialog.GetByTestId("json-response-object")).ToContainTextAsync("Not kept: the audit policy records this request at level Request");

        await dialog.GetByRole(AriaRole.Link, new() { Name = user.UserName }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Investigations" })).ToBeVisibleAsync();
        var timeline = page.GetByTestId("activity-table");
        await Expect(timeline.Locator("tr").Filter(new() { HasText = "create configmaps in default feature-flags" }).GetByTestId("activity-source"))
            .ToHaveTextAsync("Kubernetes");
        await Expect(timeline.Locator("tr").Filter(new() { HasText = "KubeconfigIssued" }).GetByTestId("activity-source")).ToHaveTextAsync("Cocktail");
    }

    [Fact]
    public async Task an_auditor_asks_who_could_reach_the_cluster_now_and_before_the_grant_and_sees_who_granted_it()
    {
        using var admin = await browser.App.AsAdminAsync();
        var user = await browser.App.CreateUserAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        var kept = await SendAsync(admin, "/api/v1/access-grants", new
        {
            userId = user.Id, clusterId = _clusterId, scope = "Cluster", role = "view", validUntil = DateTimeOffset.UtcNow.AddHours(3), reason = "on-call rotation",
        });
        var revoked = await SendAsync(admin, "/api/v1/access-grants", new
        {
            userId = user.Id, clusterId = _clusterId, scope = "Cluster", role = "cluster-admin", validUntil = DateTimeOffset.UtcNow.AddHours(3), reason = "too much",
        });
        await SendAsync(admin, $"/api/v1/access-grants/{(string)revoked["grant"]!["id"]!}/revoke", new { reason = "not needed" });

        var auditor = await browser.App.CreateUserAsync(role: "Auditor");
        var page = await browser.SignedInAsync(auditor.UserName, auditor.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "Investigations", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Investigations" })).ToBeVisibleAsync();
        await Autocomplete.ChooseAsync(page, page.GetByLabel("Cluster", new() { Exact = true }), _sim.Name);
        await page.GetByTestId("who-ask").ClickAsync();

        // Now: the view grant only; the revoked cluster-admin grant is gone.
        var holders = page.GetByTestId("holders-table").Locator("tbody tr");
        await Expect(holders).ToHaveCountAsync(1);
        await Expect(holders.GetByTestId("holder-user")).ToHaveTextAsync(user.UserName);
        await Expect(holders.GetByTestId("holder-role")).ToHaveTextAsync("view");
        await Expect(holders).ToContainTextAsync(CocktailApp.AdminUserName);
        await Expect(holders).ToContainTextAsync("on-call rotation");
        await Expect(holders.GetByRole(AriaRole.Link, new() { Name = "grant (Cluster)" }))
            .ToHaveAttributeAsync("href", $"/access/grants?grant={(string)kept["grant"]!["id"]!}");

        // Before either grant existed: nobody.
        await page.GetByLabel("At (UTC)").FillAsync(before.UtcDateTime.ToString("yyyy-MM-ddTHH:mm"));
        await page.GetByTestId("who-ask").ClickAsync();
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Nobody could");
    }

    /// <summary>Users see (and may ask for) the clusters of their workspaces.</summary>
    private async Task MemberOfAWorkspaceWithTheClusterAsync(TestUser user)
    {
        using var admin = await browser.App.AsAdminAsync();
        var workspace = await SendAsync(admin, "/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] });
        var id = (string)workspace["id"]!;
        await SendAsync(admin, $"/api/v1/workspaces/{id}/members", new { userId = user.Id, role = "Developer" });
        await SendAsync(admin, $"/api/v1/workspaces/{id}/clusters/{_clusterId}",
            new { mode = "Shared", quota = new { cpu = "2", memory = "4Gi", gpu = "0", storage = "10Gi", pods = "20" } });
    }

    private async Task<HttpStatusCode> CreateConfigMapAsync(string token, string name)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_sim.Server) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name }, data = new Dictionary<string, string> { ["mode"] = "canary" } };
        return (await client.PostAsJsonAsync("/api/v1/namespaces/default/configmaps", body)).StatusCode;
    }

    /// <summary>The downloaded token on the cluster itself, as kubectl would use it.</summary>
    private async Task<HttpStatusCode> ListConfigMapsAsync(string token)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_sim.Server) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync("/api/v1/namespaces/default/configmaps")).StatusCode;
    }
}
