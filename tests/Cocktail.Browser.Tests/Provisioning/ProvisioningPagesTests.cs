using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Discovery;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests.Provisioning;

/// <summary>
/// Creating and upgrading a cluster through Cluster API in the console. The management cluster is a KubeSim cluster
/// with Cluster API's and the OpenStack provider's CRDs installed (the real ones, from shared/kubernetes/crds) and
/// KubeSim's simulated Cluster API controllers, which start the new cluster as another simulated cluster and write
/// its kubeconfig Secret, as Cluster API does; Cocktail registers it from there.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProvisioningPagesTests(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>Provisioning walks the Cluster's conditions over a few seconds, then Cocktail registers the new cluster.</summary>
    private static readonly LocatorAssertionsToContainTextOptions Provisioning = new() { Timeout = 90_000 };
    private const string IdentitySecret = "openstack-identity";

    private KubeSimCluster _management = default!;
    private Guid _managementId;
    private readonly List<Guid> _provisioned = [];

    public async Task InitializeAsync()
    {
        _management = await Sims.StartAsync(nodes: 1, pods: 0);
        await SharedCrds.InstallAsync(_management.Objects, SharedCrds.ClusterApi);
        await SharedCrds.InstallAsync(_management.Objects, SharedCrds.CapiOpenStack);
        // The provider's credentials live on the management cluster; Cocktail only names the Secret.
        var password = TestSecrets.Remember("os_" + Guid.NewGuid().ToString("N"));
        var clouds = $"clouds:\n  openstack:\n    auth:\n      auth_url: https://keystone.example.com:5000/v3\n      username: capi\n      password: {password}\n      project_name: capi\n";
        _management.Objects.Upsert(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = IdentitySecret, ["namespace"] = "default" },
            ["type"] = "Opaque",
            ["data"] = new JsonObject { ["clouds.yaml"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(clouds)) },
        });
        using var admin = await browser.App.AsAdminAsync();
        _managementId = await Sims.RegisterAsync(admin, _management);
    }

    public async Task DisposeAsync()
    {
        // The new clusters run inside the management cluster's process: unregister them before it stops.
        try
        {
            using var admin = await browser.App.AsAdminAsync();
            foreach (var id in _provisioned)
            {
                var details = await admin.GetFromJsonAsync<JsonNode>($"/api/v1/provisioned-clusters/{id}");
                var registered = (string?)(details?["view"] ?? details)?["registeredClusterId"];
                if (registered is not null) await admin.DeleteAsync($"/api/v1/clusters/{registered}?reason=test+ended");
            }
        }
        finally
        {
            await Sims.RetireAsync(browser.App, _management);
        }
    }

    [Fact]
    public async Task an_admin_creates_an_openstack_cluster_with_the_wizard_and_follows_it_until_it_is_available_and_registered()
    {
        var name = $"os-{Guid.NewGuid():N}"[..11];
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        // The registered cluster becomes a management cluster; its CRDs tell what it offers.
        await page.GotoAsync($"/clusters/{_managementId}?tab=cluster-api");
        await Expect(page.GetByTestId("cluster-api-state")).ToContainTextAsync("Not a management cluster");
        await page.GetByTestId("cluster-api-enable").ClickAsync();
        await Expect(page.GetByTestId("cluster-api-state")).ToContainTextAsync("Management cluster");
        await Expect(page.GetByTestId("cluster-api-installed")).ToContainTextAsync("OpenStack");
        await Expect(page.GetByTestId("cluster-api-installed")).ToContainTextAsync("Flavor");
        await Expect(page.GetByTestId("cluster-api-not-installed")).ToContainTextAsync("VSphereCluster.infrastructure.cluster.x-k8s.io");
        await Expect(page.GetByTestId("cluster-api-register-only")).ToContainTextAsync("Citrix Hypervisor");

        await page.GetByTestId("cluster-api-create").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create a cluster" })).ToBeVisibleAsync();
        // Step 1: the only installed infrastructure is chosen; the others are there, greyed, with why.
        await Expect(page.GetByText("Not installed: missing")).Not.ToHaveCountAsync(0);
        await Expect(page.GetByTestId("wizard-register-only").First).ToContainTextAsync("register only");
        await page.GetByTestId("wizard-next").ClickAsync();

        // Step 2.
        await page.GetByTestId("wizard-name").FillAsync(name);
        await page.GetByTestId("wizard-version").FillAsync("v1.33.2");
        await page.GetByTestId("wizard-cp-machine-type").FillAsync("m1.large");
        await page.GetByTestId("wizard-next").ClickAsync();

        // Step 3: a pool whose autoscaler minimum is above its maximum is refused on that pool's row.
        var pool = page.GetByTestId("wizard-pool-0");
        await pool.GetByTestId("pool-name").FillAsync("workers");
        await pool.GetByTestId("pool-machine-type").FillAsync("m1.medium");
        await pool.GetByTestId("pool-replicas").FillAsync("2");
        await pool.GetByTestId("pool-min").FillAsync("3");
        await pool.GetByTestId("pool-max").FillAsync("1");
        await pool.GetByTestId("pool-labels").FillAsync("tier=web");
        await page.GetByTestId("wizard-next").ClickAsync();
        await Expect(pool).ToContainTextAsync("The minimum (3) is above the maximum (1).");
        await pool.GetByTestId("pool-min").FillAsync("1");
        await pool.GetByTestId("pool-max").FillAsync("3");
        await page.GetByTestId("wizard-next").ClickAsync();

        // Step 4: the pods' and services' ranges come filled in; OpenStack's settings are asked for.
        await Expect(page.GetByTestId("wizard-pod-cidrs")).ToHaveValueAsync("192.168.0.0/16");
        await Expect(page.GetByTestId("setting-cloudName")).ToHaveValueAsync("openstack");
        await page.GetByTestId("setting-identitySecret").FillAsync(IdentitySecret);
        await page.GetByTestId("setting-image").FillAsync("ubuntu-2204-kube-v1.33.2");
        await page.GetByTestId("wizard-next").ClickAsync();

        // Step 5: the objects Cocktail applies, checked against the management cluster's CRDs.
        var yaml = page.GetByTestId("wizard-yaml");
        await Expect(yaml).ToContainTextAsync("kind: OpenStackCluster");
        await Expect(yaml).ToContainTextAsync("kind: KubeadmControlPlane");
        await Expect(yaml).ToContainTextAsync($"name: {name}-workers");
        await page.GetByTestId("wizard-create").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        _provisioned.Add(Guid.Parse(page.Url.Split('/').Last().Split('?')[0]));
        var available = page.Locator("[data-testid=condition-row][data-condition=Available]");
        await Expect(available.GetByTestId("condition-status")).ToHaveTextAsync("True", new() { Timeout = 90_000 });
        await Expect(page.GetByTestId("provisioned-status")).ToHaveTextAsync("Provisioned", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("provisioned-registered")).ToContainTextAsync($"Registered as {name}", Provisioning);
        await Expect(page.GetByTestId("provisioned-version")).ToHaveTextAsync("v1.33.2");

        // The registered cluster is the new one: its nodes are the machines Cluster API made (one control plane, two workers).
        await page.GetByTestId("provisioned-registered-link").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("overview-nodes")).ToContainTextAsync("3 / 3", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task an_admin_upgrades_a_provisioned_cluster_one_minor_version_after_a_refused_skip_and_sees_each_step_complete()
    {
        var name = $"up-{Guid.NewGuid():N}"[..11];
        var id = await ProvisionThroughTheApiAsync(name, "v1.32.4");
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/clusters?tab=provisioned");
        await page.GetByTestId("provisioned-name").GetByText(name, new() { Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("provisioned-status")).ToHaveTextAsync("Provisioned", new() { Timeout = 90_000 });

        await page.GetByTestId("provisioned-upgrade").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("upgrade-version")).ToHaveValueAsync("v1.33.0");
        await dialog.GetByTestId("upgrade-version").FillAsync("v1.34.0");
        await dialog.GetByTestId("upgrade-submit").ClickAsync();
        await Expect(dialog).ToContainTextAsync("skips 1 minor version(s): upgrade one minor version at a time (first to v1.33)");

        await dialog.GetByTestId("upgrade-version").FillAsync("v1.33.0");
        await dialog.GetByTestId("upgrade-submit").ClickAsync();
        await Expect(page.GetByText($"{name} is upgrading to v1.33.0.")).ToBeVisibleAsync();

        // The control plane first, then the pool; the page follows without a reload.
        await Expect(page.GetByTestId("provisioned-version")).ToHaveTextAsync("v1.33.0", new() { Timeout = 90_000 });
        var poolRow = page.Locator("[data-testid=provisioned-pool-row][data-pool=workers]");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Node pools" }).ClickAsync();
        await Expect(poolRow.GetByTestId("provisioned-pool-version")).ToHaveTextAsync("v1.33.0");
        await Expect(page.GetByTestId("provisioned-upgrade-progress")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        var history = page.GetByTestId("provisioned-history");
        // Each step as a sentence, from the cluster's own stream.
        await Expect(history).ToContainTextAsync($"The control plane of cluster '{name}' runs v1.33.0");
        await Expect(history).ToContainTextAsync($"The node pool 'workers' of cluster '{name}' runs v1.33.0");
        await Expect(history).ToContainTextAsync($"Cluster '{name}' was upgraded from v1.32.4 to v1.33.0");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Machines" }).ClickAsync();
        await Expect(page.GetByTestId("machine-version")).ToHaveTextAsync(["v1.33.0", "v1.33.0"], new() { Timeout = 30_000 });
    }

    /// <summary>Makes the management cluster one and requests a cluster as a script would, then waits until it is provisioned.</summary>
    private async Task<Guid> ProvisionThroughTheApiAsync(string name, string version)
    {
        using var admin = await browser.App.AsAdminAsync();
        await ConsoleWorld.SendAsync(admin, $"/api/v1/clusters/{_managementId}/cluster-api", new { });
        var accepted = await ConsoleWorld.SendAsync(admin, "/api/v1/provisioned-clusters", new
        {
            managementClusterId = _managementId,
            name, @namespace = "default", infrastructure = "OpenStack", kubernetesVersion = version,
            controlPlane = new { replicas = 1, machineType = "m1.large" },
            nodePools = new[] { new { name = "workers", machineType = "m1.medium", replicas = 1 } },
            settings = new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = IdentitySecret, ["image"] = $"ubuntu-2204-kube-{version}" },
            reason = "browser test",
        });
        var id = Guid.Parse((string)accepted["id"]!);
        _provisioned.Add(id);
        await Eventually.GetAsync(async () => await admin.GetFromJsonAsync<JsonNode>($"/api/v1/provisioned-clusters/{id}"),
            d => (string?)d?["view"]?["status"] == "Provisioned", TimeSpan.FromSeconds(90), because: $"{name} provisioned");
        return id;
    }
}
