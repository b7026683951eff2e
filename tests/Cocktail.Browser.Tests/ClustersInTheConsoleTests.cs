using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

[Collection(SecondBrowserCollection.Name)]
public sealed class ClustersInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // Health probes run every second in the fixture's app; a transition reaches the page in a few seconds.
    private static readonly LocatorAssertionsToContainTextOptions Live = new() { Timeout = 20_000 };

    private readonly List<string> _files = [];
    private KubeSimCluster _sim = default!;

    public async Task InitializeAsync() => _sim = await Sims.StartAsync(nodes: 2, pods: 3);

    public async Task DisposeAsync()
    {
        await Sims.RetireAsync(browser.App, _sim);
        foreach (var file in _files) File.Delete(file);
    }

    [Fact]
    public async Task an_admin_registers_a_cluster_from_a_kubeconfig_file_and_sees_it_connected_with_its_nodes()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"{_sim.Name}.kubeconfig");
        _sim.WriteKubeconfig(kubeconfig);
        _files.Add(kubeconfig);
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Clusters", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Register cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register a cluster" })).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(_sim.Name);
        await page.GetByLabel("Region").FillAsync("lab");
        await page.GetByTestId("cluster-provider").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "BareMetal" }).ClickAsync();
        await page.Locator("input[type=file]").SetInputFilesAsync(kubeconfig);
        await Expect(page.GetByTestId("kubeconfig-file-name")).ToContainTextAsync($"{_sim.Name}.kubeconfig");
        await page.GetByTestId("register-cluster").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = _sim.Name })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cluster-health").First).ToContainTextAsync("Connected");
        await Expect(page.GetByTestId("overview-nodes")).ToContainTextAsync("2 / 2", Live);
        var nodeNames = _sim.Objects.List("v1", "Node").Select(n => (string)n["metadata"]!["name"]!).Order().ToArray();
        Assert.Equal(2, nodeNames.Length);
        await Expect(page.GetByTestId("node-name")).ToHaveTextAsync(nodeNames);

        await page.GetByRole(AriaRole.Link, new() { Name = "Clusters", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters", Exact = true })).ToBeVisibleAsync();
        var row = await ListedRowAsync(page);
        await Expect(row.GetByTestId("cluster-health")).ToContainTextAsync("Connected");
        await Expect(row.GetByTestId("cluster-nodes")).ToHaveTextAsync("2 / 2", new() { Timeout = 20_000 });
        await Expect(row.GetByTestId("cluster-pods")).ToHaveTextAsync("3 / 3", new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task a_cluster_that_stops_answering_turns_unreachable_on_the_open_dashboard_without_a_reload()
    {
        using var admin = await browser.App.AsAdminAsync();
        await Sims.RegisterAsync(admin, _sim);
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/clusters");
        var row = await ListedRowAsync(page);
        await Expect(row.GetByTestId("cluster-health")).ToContainTextAsync("Connected", Live);
        var dashboard = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        var unreachable = dashboard.GetByTestId("clusters-Unreachable");
        async Task<int> Shown() => int.Parse((await unreachable.InnerTextAsync()).Split(' ')[0]);
        async Task<int> Counted() =>
            (int)JsonNode.Parse(await admin.GetStringAsync("/api/v1/clusters?status=Unreachable&pageSize=1"))!["total"]!;
        await Shown(); // the dashboard is up before the cluster goes

        await _sim.Faults.StopAnsweringAsync();

        await Expect(row.GetByTestId("cluster-health")).ToContainTextAsync("Unreachable", Live);
        // The dashboard's count follows, to what the API counts now that this cluster is among them (earlier tests'
        // clusters may join too, so it is compared with the API, not with the count before).
        await Eventually.TrueAsync(async () => await Shown() == await Counted(), TimeSpan.FromSeconds(20), "the dashboard counting it");
        await Expect(row.GetByTestId("cluster-health-detail")).ToContainTextAsync("refused");

        // Back: probes and watches resume (a quiet cluster sends nothing on its watches, yet they count as working).
        await _sim.Faults.ResumeAsync();
        try { await Expect(row.GetByTestId("cluster-health")).ToContainTextAsync("Connected", Live); }
        catch (PlaywrightException) { Assert.Fail($"Not Connected again after the cluster came back: {await row.InnerTextAsync()}"); }
    }

    [Fact]
    public async Task an_admin_changes_a_cluster_s_labels_and_unregisters_it_after_typing_its_name()
    {
        Guid id;
        using (var admin = await browser.App.AsAdminAsync())
            id = await Sims.RegisterAsync(admin, _sim);
        // Another admin has the cluster list open; the change reaches it without a reload.
        var list = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await list.GotoAsync("/clusters");
        await Expect((await ListedRowAsync(list)).GetByTestId("cluster-health")).ToContainTextAsync("Connected", Live);
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/clusters/{id}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog);
        await edit.GetByLabel("Labels").FillAsync("env=prod\nteam=blue");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText($"{_sim.Name} is updated.")).ToBeVisibleAsync();
        await Expect(page.GetByText("team=blue")).ToBeVisibleAsync();
        await Expect(Row(list)).ToContainTextAsync("team=blue", new() { Timeout = 10_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Unregister" }).ClickAsync();
        var unregister = page.GetByRole(AriaRole.Dialog);
        var confirm = unregister.GetByRole(AriaRole.Button, new() { Name = "Unregister" });
        await Expect(confirm).ToBeDisabledAsync();
        await unregister.GetByTestId("unregister-confirmation").FillAsync(_sim.Name);
        await confirm.ClickAsync();

        await Expect(page.GetByText($"{_sim.Name} is unregistered.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cluster-name").Filter(new() { HasText = _sim.Name })).ToHaveCountAsync(0);
    }

    /// <summary>The dashboard's row of this test's cluster (node names on other pages contain the cluster's name too).</summary>
    /// <summary>
    /// The cluster list narrowed to this test's cluster by the Name filter: the browser tests share one Cocktail, whose
    /// list holds every class's clusters, more than one page of them.
    /// </summary>
    private async Task<ILocator> ListedRowAsync(IPage page)
    {
        var name = page.GetByLabel("Name", new() { Exact = true });
        await name.FillAsync(_sim.Name);
        await name.PressAsync("Enter");
        await Expect(page.GetByTestId("cluster-name")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("^" + _sim.Name)]);
        return Row(page);
    }

    private ILocator Row(IPage page) =>
        page.Locator("tr").Filter(new() { Has = page.GetByTestId("cluster-name").GetByText(_sim.Name, new() { Exact = true }) });
}

/// <summary>KubeSim clusters for console tests, registered through the API when the test is not about registering.</summary>
internal static class Sims
{
    public static Task<KubeSimCluster> StartAsync(int nodes, int pods) =>
        KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"ui-{Guid.NewGuid():N}"[..12], Nodes = nodes, SeedPods = pods });

    public static async Task<Guid> RegisterAsync(HttpClient admin, KubeSimCluster cluster)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = cluster.Name, provider = "BareMetal", region = "lab", kubeconfig = cluster.AdminKubeconfigYaml });
        var body = await response.Content.ReadFromJsonAsync<JsonNode>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Registration failed: {(int)response.StatusCode} {body}");
        return Guid.Parse((string)body!["cluster"]!["id"]!);
    }

    /// <summary>
    /// Unregisters every cluster registered under the sim's name, then stops the sim. A stopped cluster left
    /// registered keeps the one host of the suite probing it and re-opening its watches until the suite ends.
    /// </summary>
    public static async Task RetireAsync(CocktailApp app, KubeSimCluster cluster)
    {
        try
        {
            using var admin = await app.AsAdminAsync();
            var clusters = await admin.GetFromJsonAsync<JsonNode>($"/api/v1/clusters?search={Uri.EscapeDataString(cluster.Name)}&pageSize=50");
            foreach (var item in clusters?["items"]?.AsArray() ?? [])
            {
                if ((string?)item?["cluster"]?["name"] != cluster.Name) continue;
                var response = await admin.DeleteAsync($"/api/v1/clusters/{(string)item!["cluster"]!["id"]!}?reason=test+ended");
                if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
                    throw new InvalidOperationException($"Unregistering {cluster.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
