using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>
/// A platform admin sets a cluster's image gate on the cluster page: a URL the API servers cannot use is refused beside
/// the field, a good one ends up as the ValidatingWebhookConfiguration on the cluster and the page says it is applied,
/// and removing it (after confirming) takes the configuration off the cluster.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class ImageGateInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string WebhookName = "cocktail-image-gate";

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
    public async Task a_platform_admin_sets_the_webhook_url_sees_it_applied_on_the_cluster_and_removes_it()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync($"/clusters/{_clusterId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Image gate" }).ClickAsync();
        var gate = page.GetByTestId("image-gate");
        await Expect(gate.GetByTestId("image-gate-state")).ToHaveTextAsync("Not enforced");
        await Expect(gate.GetByTestId("image-gate-explanation")).ToContainTextAsync("No webhook URL is set");

        var url = gate.GetByLabel("Webhook URL");
        await url.FillAsync("http://cocktail.example.test:9443");
        await gate.GetByTestId("image-gate-save").ClickAsync();
        await Expect(gate).ToContainTextAsync("The API server calls webhooks over https only");
        await url.FillAsync("https://robot:hunter2@cocktail.example.test:9443");
        await gate.GetByTestId("image-gate-save").ClickAsync();
        await Expect(gate).ToContainTextAsync("The URL has no credentials, query or fragment");
        Assert.Null(Webhook());

        await url.FillAsync("https://cocktail.example.test:9443/");
        await gate.GetByTestId("image-gate-save").ClickAsync();
        await Expect(gate.GetByTestId("image-gate-state")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });
        await Expect(gate.GetByTestId("image-gate-url")).ToHaveTextAsync("https://cocktail.example.test:9443");
        var admission = $"https://cocktail.example.test:9443/api/v1/admission/clusters/{_clusterId}/pods";
        await Expect(gate.GetByTestId("image-gate-admission-url")).ToHaveTextAsync(admission);
        await Expect(gate.GetByTestId("image-gate-explanation")).ToContainTextAsync("The cluster asks Cocktail before it admits a pod");
        Assert.Equal(admission, (string?)Webhook()?["webhooks"]?[0]?["clientConfig"]?["url"]);

        await gate.GetByTestId("image-gate-remove").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("stops asking Cocktail before it admits a pod");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(gate.GetByTestId("image-gate-explanation")).ToContainTextAsync("No webhook URL is set", new() { Timeout = 30_000 });
        await Expect(gate.GetByTestId("image-gate-state")).ToHaveTextAsync("Not enforced", new() { Timeout = 30_000 });
        await Expect(gate.GetByTestId("image-gate-url")).ToHaveTextAsync("not set");
        Assert.Null(Webhook());
    }

    private JsonObject? Webhook() =>
        _sim.Objects.List("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration").FirstOrDefault(o => (string?)o["metadata"]?["name"] == WebhookName);
}
