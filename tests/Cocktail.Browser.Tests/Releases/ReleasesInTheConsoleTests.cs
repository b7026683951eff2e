using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Cocktail.Testing.Charts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests.Releases;

/// <summary>
/// Addons and team releases in the console. The addon repositories point at the fixture's chart repository (real
/// index.yaml and .tgz charts), and the clusters are KubeSim with Flux's source- and helm-controller simulated: they
/// fetch the chart from that repository, validate the values against its schema, apply its templates and report
/// through the HelmRelease's conditions and history, which Cocktail follows.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class ReleasesInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string ReplicaSchema = """{"type":"object","properties":{"replicaCount":{"type":"integer","minimum":1},"crds":{"type":"object"}}}""";
    /// <summary>Flux reports a release within seconds; Cocktail's follower and the page's refresh add a little.</summary>
    private static readonly LocatorAssertionsToContainTextOptions Released = new() { Timeout = 45_000 };

    private readonly List<KubeSimCluster> _clusters = [];

    private static TestChart Chart(string name, string version) =>
        TestChart.WithConfigMap(name, version) with { Values = "replicaCount: 1\n", Schema = ReplicaSchema, AppVersion = version };

    public Task InitializeAsync()
    {
        // The catalog's recommended versions (cert-manager v1.16.2, metrics-server 3.12.2), a newer one, and a team's chart.
        browser.Charts.Add(Chart("cert-manager", "v1.16.2")).Add(Chart("metrics-server", "3.12.2")).Add(Chart("metrics-server", "3.13.0"))
            .Add(Chart("podinfo", "6.5.0"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var cluster in _clusters) await Sims.RetireAsync(browser.App, cluster);
    }

    private async Task<(KubeSimCluster Sim, Guid Id)> FluxClusterAsync(bool installFlux = true)
    {
        // Kubernetes 1.32: within cert-manager's supported range (1.25 to 1.32).
        var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"ui-{Guid.NewGuid():N}"[..12], Nodes = 1, Flux = true, KubernetesVersion = "v1.32.4" });
        _clusters.Add(sim);
        if (installFlux) await SharedCrds.InstallFluxAsync(sim);
        using var admin = await browser.App.AsAdminAsync();
        return (sim, await Sims.RegisterAsync(admin, sim));
    }

    /// <summary>What Flux says on the cluster (sources, charts, releases), for a failing expectation's message.</summary>
    private static string FluxState(KubeSimCluster sim) => string.Join("\n",
        new[] { ("source.toolkit.fluxcd.io/v1", "HelmRepository"), ("source.toolkit.fluxcd.io/v1", "HelmChart"), ("helm.toolkit.fluxcd.io/v2", "HelmRelease") }
            .SelectMany(t => sim.Objects.List(t.Item1, t.Item2))
            .Select(o => $"{o["kind"]} {o["metadata"]?["namespace"]}/{o["metadata"]?["name"]}: spec={o["spec"]?.ToJsonString()} status={o["status"]?.ToJsonString()}"));

    /// <summary>Waits for the release to be Ready on the page; says what Flux reported when it does not get there.</summary>
    private static async Task ExpectReadyAsync(ILocator status, KubeSimCluster sim)
    {
        try
        {
            await Expect(status).ToHaveTextAsync("Ready", new() { Timeout = 45_000 });
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"{e.Message}\nFlux on the cluster:\n{FluxState(sim)}", e);
        }
    }

    private static JsonNode? HelmRelease(KubeSimCluster sim, string ns, string name) => sim.Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", name, ns);

    [Fact]
    public async Task an_admin_sees_flux_missing_then_installs_an_addon_with_edited_values_after_a_schema_error_and_sees_it_ready()
    {
        var (sim, clusterId) = await FluxClusterAsync(installFlux: false);
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/clusters/{clusterId}?tab=addons");

        // No Flux yet: the tab says so and offers to install it; addons cannot be installed meanwhile.
        await Expect(page.GetByTestId("flux-missing")).ToContainTextAsync("Flux is missing");
        await Expect(page.GetByTestId("flux-install")).ToBeVisibleAsync();
        var row = page.Locator("[data-testid=addon-row][data-addon=cert-manager]");
        await Expect(row.GetByTestId("addon-install")).ToBeDisabledAsync();
        await Expect(row.GetByTestId("addon-supported")).ToHaveTextAsync("supported");

        await SharedCrds.InstallFluxAsync(sim);
        await page.GetByTestId("flux-check").ClickAsync();
        // Its controllers start (their Deployments become available), and the tab follows until they are ready.
        await Expect(page.GetByTestId("flux-ready")).ToContainTextAsync("Flux is installed", new() { Timeout = 30_000 });

        await row.GetByTestId("addon-install").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("install-version")).ToHaveValueAsync("v1.16.2");
        // Prefilled with the catalog's defaults for cert-manager.
        await Expect(dialog.GetByTestId("values-editor")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("crds:\\s+enabled: true"));

        // Values the chart's schema refuses: the error is beside the editor, nothing is installed.
        await dialog.GetByTestId("values-editor").FillAsync("crds:\n  enabled: true\nreplicaCount: 0\n");
        await dialog.GetByTestId("install-submit").ClickAsync();
        await Expect(dialog.GetByTestId("values-errors")).ToContainTextAsync("replicaCount");
        Assert.Null(HelmRelease(sim, "cert-manager", "cert-manager"));

        await dialog.GetByTestId("values-editor").FillAsync("crds:\n  enabled: true\nreplicaCount: 2\n");
        await dialog.GetByTestId("install-reason").FillAsync("tls for the ingresses");
        await dialog.GetByTestId("install-submit").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await ExpectReadyAsync(row.GetByTestId("addon-status"), sim);
        await Expect(row.GetByTestId("addon-version")).ToHaveTextAsync("v1.16.2");
        Assert.Equal(2, (int?)HelmRelease(sim, "cert-manager", "cert-manager")?["spec"]?["values"]?["replicaCount"]);
        Assert.NotNull(sim.Objects.Get("v1", "ConfigMap", "cert-manager-config", "cert-manager"));

        // The release page shows the values it runs with.
        await row.GetByTestId("addon-open").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "cert-manager", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("release-values")).ToContainTextAsync("replicaCount: 2");
        await Expect(page.GetByTestId("release-deployed")).ToContainTextAsync("v1.16.2");
    }

    [Fact]
    public async Task an_admin_upgrades_an_addon_reviewing_the_values_diff_then_rolls_it_back_and_the_history_shows_both_with_diffs()
    {
        var (sim, clusterId) = await FluxClusterAsync();
        using var admin = await browser.App.AsAdminAsync();
        var installed = await ConsoleWorld.SendAsync(admin, $"/api/v1/clusters/{clusterId}/addons/metrics-server", new { version = "3.12.2", values = "replicaCount: 1\n" });
        var id = (string)installed["id"]!;

        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/releases/{id}");
        await ExpectReadyAsync(page.GetByTestId("release-status"), sim);
        await Expect(page.GetByTestId("release-deployed")).ToContainTextAsync("3.12.2");

        // Upgrade with new values: the difference against the current values is shown before anything is applied.
        await page.GetByTestId("release-upgrade").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByTestId("change-version").FillAsync("3.13.0");
        await dialog.GetByTestId("values-editor").FillAsync("replicaCount: 3\n");
        await dialog.GetByTestId("change-review").ClickAsync();
        await Expect(dialog.GetByTestId("change-summary")).ToContainTextAsync("3.12.2 → 3.13.0");
        await Expect(dialog.Locator(".diff-removed")).ToHaveTextAsync(["- replicaCount: 1"]);
        await Expect(dialog.Locator(".diff-added")).ToHaveTextAsync(["+ replicaCount: 3"]);
        Assert.Equal("3.12.2", (string?)HelmRelease(sim, "kube-system", "metrics-server")?["spec"]?["chart"]?["spec"]?["version"]);
        await dialog.GetByTestId("change-apply").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(page.GetByTestId("release-deployed")).ToContainTextAsync("3.13.0", Released);
        await ExpectReadyAsync(page.GetByTestId("release-status"), sim);
        Assert.Equal("3.13.0", (string?)sim.Objects.Get("v1", "ConfigMap", "metrics-server-config", "kube-system")?["data"]?["version"]);

        // Roll back to the first revision: its version and values come back, and the dialog shows how the values change.
        await page.GetByTestId("release-rollback").ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("rollback-summary")).ToContainTextAsync("3.13.0 → 3.12.2");
        await Expect(dialog.Locator(".diff-removed")).ToHaveTextAsync(["- replicaCount: 3"]);
        await Expect(dialog.Locator(".diff-added")).ToHaveTextAsync(["+ replicaCount: 1"]);
        await dialog.GetByTestId("rollback-reason").FillAsync("3.13 breaks the HPA");
        await dialog.GetByTestId("rollback-submit").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(page.GetByTestId("release-deployed")).ToContainTextAsync("3.12.2", Released);
        await ExpectReadyAsync(page.GetByTestId("release-status"), sim);
        await Expect(page.GetByTestId("release-version")).ToContainTextAsync("revision 3");
        Assert.Equal(1, (int?)HelmRelease(sim, "kube-system", "metrics-server")?["spec"]?["values"]?["replicaCount"]);

        // The history has both, each with the values before and after.
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        var upgrade = page.Locator("[data-testid=history-entry][data-kind=upgrade]");
        await Expect(upgrade).ToContainTextAsync("3.13.0");
        await Expect(upgrade.GetByTestId("history-diff")).ToContainTextAsync("- replicaCount: 1");
        await Expect(upgrade.GetByTestId("history-diff")).ToContainTextAsync("+ replicaCount: 3");
        var rollback = page.Locator("[data-testid=history-entry][data-kind=rollback]");
        await Expect(rollback).ToContainTextAsync("3.12.2");
        await Expect(rollback.GetByTestId("history-diff")).ToContainTextAsync("- replicaCount: 3");
        await Expect(rollback.GetByTestId("history-diff")).ToContainTextAsync("+ replicaCount: 1");
    }

    [Fact]
    public async Task a_team_member_installs_a_chart_into_its_service_map_and_sees_it_ready()
    {
        var (sim, clusterId) = await FluxClusterAsync();
        var member = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, clusterId, member);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/workspaces/{team.WorkspaceId}");
        await page.GetByTestId("workspace-releases").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/workspaces/{team.WorkspaceId}/releases$"));
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Install a chart");

        await page.GetByTestId("release-install").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        // The workspace's only service map is chosen.
        await Expect(dialog).ToContainTextAsync(team.MapName);
        await dialog.GetByTestId("release-repository").FillAsync("jetstack");
        await dialog.GetByTestId("release-chart").FillAsync("podinfo");
        await dialog.GetByTestId("release-chart-version").FillAsync("6.5.0");
        await dialog.GetByTestId("values-editor").FillAsync("replicaCount: 2\n");
        await dialog.GetByTestId("release-install-submit").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "podinfo", Exact = true })).ToBeVisibleAsync();
        await ExpectReadyAsync(page.GetByTestId("release-status"), sim);
        await Expect(page.GetByTestId("release-deployed")).ToContainTextAsync("6.5.0");

        // On the cluster: the HelmRelease runs as the service map's own account, and the chart's objects are in its namespace.
        var helmRelease = HelmRelease(sim, team.Namespace, "podinfo");
        Assert.Equal("cocktail-helm", (string?)helmRelease?["spec"]?["serviceAccountName"]);
        Assert.Equal(2, (int?)helmRelease?["spec"]?["values"]?["replicaCount"]);
        Assert.NotNull(sim.Objects.Get("v1", "ConfigMap", "podinfo-config", team.Namespace));

        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/releases");
        var row = page.Locator("[data-testid=release-row][data-release=podinfo]");
        await Expect(row.GetByTestId("release-row-status")).ToHaveTextAsync("Ready");
        await Expect(row).ToContainTextAsync(team.MapName);
    }
}
