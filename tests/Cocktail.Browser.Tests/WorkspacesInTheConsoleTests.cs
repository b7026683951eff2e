using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class WorkspacesInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // Reconciliation starts from the outbox as soon as the service map is created; the page re-reads it every 2 s.
    private static readonly LocatorAssertionsToContainTextOptions Reconciled = new() { Timeout = 20_000 };

    private KubeSimCluster _sim = default!;
    private Guid _clusterId;

    public async Task InitializeAsync()
    {
        _sim = await Sims.StartAsync(nodes: 1, pods: 0);
        using var admin = await browser.App.AsAdminAsync();
        _clusterId = await Sims.RegisterAsync(admin, _sim);
    }

    public async Task DisposeAsync() => await Sims.RetireAsync(browser.App, _sim);

    [Fact]
    public async Task an_admin_sets_up_a_workspace_and_its_developer_creates_a_service_map_that_becomes_ready_with_its_quota_bars()
    {
        var developer = await browser.App.CreateUserAsync();
        var workspace = $"ws-{Guid.NewGuid():N}"[..11];
        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        await admin.GetByRole(AriaRole.Link, new() { Name = "Workspaces", Exact = true }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Workspaces" })).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "New workspace" }).First.ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync(workspace);
        await dialog.GetByLabel("Description").FillAsync("The payments team");
        await dialog.GetByLabel("Color").FillAsync("#336699");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = workspace })).ToBeVisibleAsync();
        await Expect(admin.GetByText("The payments team")).ToBeVisibleAsync();

        await admin.GetByRole(AriaRole.Button, new() { Name = "Assign cluster" }).ClickAsync();
        dialog = admin.GetByRole(AriaRole.Dialog);
        await Autocomplete.ChooseAsync(admin, dialog.GetByLabel("Cluster"), _sim.Name);
        await FillQuotaAsync(dialog, cpu: "4", memory: "8Gi", gpu: "1", storage: "50Gi", pods: "40");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        var cluster = admin.GetByTestId("workspace-cluster");
        await Expect(cluster.GetByTestId("workspace-cluster-name")).ToHaveTextAsync(_sim.Name);
        await Expect(cluster.GetByTestId("workspace-cluster-quota")).ToContainTextAsync("cpu 4 · memory 8Gi · gpu 1 · storage 50Gi · pods 40");
        await Expect(cluster.GetByTestId("allocation-bars-cpu")).ToContainTextAsync("CPU 0 / 4 cores");

        await Autocomplete.ChooseAsync(admin, admin.GetByLabel("Add a member by user name"), developer.UserName);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(admin.GetByTestId("member-row").Filter(new() { HasText = developer.UserName })).ToBeVisibleAsync();

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "Workspaces", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = workspace }).ClickAsync();
        await Expect(page.GetByTestId("my-workspace-role")).ToContainTextAsync("Developer");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Assign cluster" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "New service map" }).ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("payments-api");
        await FillQuotaAsync(dialog, cpu: "1", memory: "2Gi", gpu: "0", storage: "10Gi", pods: "10");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "payments-api" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("service-map-namespace")).ToHaveTextAsync("payments-api");
        await Expect(page.GetByTestId("service-map-pod-security")).ToHaveTextAsync("baseline");
        await Expect(page.GetByTestId("service-map-status")).ToHaveTextAsync("Ready", new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("usage-bars-cpu")).ToContainTextAsync("CPU 0 / 1 cores", Reconciled);
        await Expect(page.GetByTestId("usage-bars-memory")).ToContainTextAsync("Memory 0 / 2Gi", Reconciled);
        await Expect(page.GetByTestId("usage-bars-pods")).ToContainTextAsync("Pods 0 / 10", Reconciled);

        await page.GetByRole(AriaRole.Link, new() { Name = workspace }).First.ClickAsync();
        var row = page.Locator("tr").Filter(new() { HasText = "payments-api" });
        await Expect(row.GetByTestId("service-map-status")).ToHaveTextAsync("Ready");
        await Expect(page.GetByTestId("allocation-bars-cpu")).ToContainTextAsync("CPU 1 / 4 cores (25%)");
    }

    [Fact]
    public async Task the_console_refuses_a_service_map_over_the_workspace_quota_with_the_server_s_message_beside_the_quota()
    {
        var developer = await browser.App.CreateUserAsync();
        string id;
        using (var admin = await browser.App.AsAdminAsync())
        {
            var workspace = await SendAsync(admin, "/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] });
            id = (string)workspace["id"]!;
            await SendAsync(admin, $"/api/v1/workspaces/{id}/members", new { userId = developer.Id, role = "Developer" });
            await SendAsync(admin, $"/api/v1/workspaces/{id}/clusters/{_clusterId}",
                new { mode = "Shared", quota = new { cpu = "2", memory = "4Gi", gpu = "0", storage = "10Gi", pods = "20" } });
        }
        var developerPage = await browser.SignedInAsync(developer.UserName, developer.Password);
        await developerPage.GotoAsync($"/workspaces/{id}");

        await developerPage.GetByRole(AriaRole.Button, new() { Name = "New service map" }).ClickAsync();
        var dialog = developerPage.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("too-big");
        await FillQuotaAsync(dialog, cpu: "3", memory: "1Gi", gpu: "0", storage: "1Gi", pods: "5");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(dialog.GetByTestId("quota-error")).ToContainTextAsync("This would exceed the workspace's quota on");
        await Expect(dialog.GetByTestId("quota-error")).ToContainTextAsync("cpu by 1");
        await Expect(dialog).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_workspace_admin_deletes_a_service_map_only_after_typing_its_namespace_and_sees_it_go()
    {
        var workspaceAdmin = await browser.App.CreateUserAsync();
        string mapId;
        using (var admin = await browser.App.AsAdminAsync())
        {
            var workspace = await SendAsync(admin, "/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] });
            var id = (string)workspace["id"]!;
            await SendAsync(admin, $"/api/v1/workspaces/{id}/members", new { userId = workspaceAdmin.Id, role = "WorkspaceAdmin" });
            await SendAsync(admin, $"/api/v1/workspaces/{id}/clusters/{_clusterId}",
                new { mode = "Shared", quota = new { cpu = "2", memory = "4Gi", gpu = "0", storage = "10Gi", pods = "20" } });
            var map = await SendAsync(admin, $"/api/v1/workspaces/{id}/service-maps",
                new { name = "scratch", clusterId = _clusterId, quota = new { cpu = "1", memory = "1Gi", pods = "5" } });
            mapId = (string)map["id"]!;
        }
        var page = await browser.SignedInAsync(workspaceAdmin.UserName, workspaceAdmin.Password);
        await page.GotoAsync($"/service-maps/{mapId}");
        await Expect(page.GetByTestId("service-map-status")).ToHaveTextAsync("Ready", new() { Timeout = 20_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("everything in it");
        var delete = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete namespace" });
        await dialog.GetByLabel("Type scratch to confirm").FillAsync("scratc");
        await Expect(delete).ToBeDisabledAsync();
        await dialog.GetByLabel("Type scratch to confirm").FillAsync("scratch");
        await delete.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Service map deleted" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Namespace scratch is gone");
    }

    private static async Task FillQuotaAsync(ILocator dialog, string cpu, string memory, string gpu, string storage, string pods)
    {
        await dialog.GetByLabel("CPU", new() { Exact = true }).FillAsync(cpu);
        await dialog.GetByLabel("Memory", new() { Exact = true }).FillAsync(memory);
        await dialog.GetByLabel("GPU", new() { Exact = true }).FillAsync(gpu);
        await dialog.GetByLabel("Storage", new() { Exact = true }).FillAsync(storage);
        await dialog.GetByLabel("Pods", new() { Exact = true }).FillAsync(pods);
    }
}
