using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>Every row of a cluster page opens the object's detail view: summary, YAML, events, and for pods containers and logs.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ObjectDetailsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    // The page reads the object from the cluster and the inventory fills as the cluster changes: allow for a loaded machine.
    private static readonly LocatorAssertionsToContainTextOptions Slow = new() { Timeout = 20_000 };

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
    public async Task an_admin_opens_a_node_a_pod_a_deployment_a_service_and_an_event_from_the_cluster_page()
    {
        var developer = await browser.App.CreateUserAsync();
        var (_, ns) = await ConsoleWorld.ServiceMapAsync(browser.App, _clusterId, developer, "shop");
        await ConsoleWorld.DeployAsync(browser.App, ns.MapId, "web");
        var pod = await ConsoleWorld.RunningPodAsync(browser.App, _clusterId, ns.Namespace);
        var node = (string)_sim.Objects.List("v1", "Node").Single()["metadata"]!["name"]!;
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);

        // A node: conditions with their reason, labels, and its YAML highlighted, copied and downloaded.
        await page.GotoAsync($"/clusters/{_clusterId}");
        await page.GetByTestId("node-name").GetByRole(AriaRole.Link, new() { Name = node }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = node, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("object-kind")).ToHaveTextAsync("Node");
        await Expect(page.GetByTestId("object-conditions")).ToContainTextAsync("KubeletReady");
        await Expect(page.GetByTestId("object-conditions")).ToContainTextAsync("kubelet is posting ready status");
        await Expect(page.GetByTestId("object-labels")).ToContainTextAsync($"kubernetes.io/hostname={node}");
        await Expect(page.GetByTestId("object-fields")).ToContainTextAsync("Allocatable");
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(page.GetByTestId("object-yaml")).ToContainTextAsync($"name: {node}");
        await Expect(page.GetByTestId("object-yaml")).ToContainTextAsync("kind: Node");
        await Expect(page.GetByTestId("object-yaml").Locator(".hljs-attr").First).ToBeVisibleAsync();
        Assert.DoesNotContain("managedFields", await page.GetByTestId("object-yaml").InnerTextAsync());
        await page.GetByTestId("yaml-copy").ClickAsync();
        await Expect(page.GetByText("The YAML is on the clipboard.")).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("yaml-download").ClickAsync());
        Assert.Equal($"nodes-{node}.yaml", download.SuggestedFilename);
        Assert.Contains($"name: {node}", await File.ReadAllTextAsync((await download.PathAsync())!));

        // A pod: its containers, a log line, and a terminal link per container.
        await page.GetByRole(AriaRole.Link, new() { Name = $"← {_sim.Name}" }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Pods", Exact = true }).ClickAsync();
        await page.GetByTestId("pod-name").GetByRole(AriaRole.Link, new() { Name = pod }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = pod, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("object-namespace")).ToHaveTextAsync($"namespace {ns.Namespace}");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex($@"Home\s*›\s*Clusters\s*›\s*{_sim.Name}\s*›\s*Pods\s*›\s*{ns.Namespace}/{pod}"));
        var container = page.GetByTestId("object-container");
        await Expect(container.GetByTestId("container-name")).ToHaveTextAsync("web");
        await Expect(container).ToContainTextAsync("registry.example.com/shop/web:1.0");
        await Expect(container).ToContainTextAsync("Running");
        await Expect(container.GetByRole(AriaRole.Link, new() { Name = "Terminal" }))
            .ToHaveAttributeAsync("href", $"/clusters/{_clusterId}/namespaces/{ns.Namespace}/pods/{pod}/terminal?container=web");
        await Expect(page.GetByTestId("object-related")).ToContainTextAsync("Deployment");
        await Expect(page.GetByTestId("object-conditions")).ToContainTextAsync("PodScheduled");
        await container.GetByRole(AriaRole.Button, new() { Name = "Logs" }).ClickAsync();
        await Expect(page.GetByTestId("pod-log")).ToContainTextAsync($"INFO {pod}/web request served", Slow);
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(page.GetByTestId("object-yaml")).ToContainTextAsync($"name: {pod}");

        // The pod's owner: its Deployment, with replicas, conditions and its pods.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Overview" }).ClickAsync();
        await page.GetByTestId("object-related").GetByRole(AriaRole.Link, new() { Name = "web", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("object-kind")).ToHaveTextAsync("Deployment");
        await Expect(page.GetByTestId("object-fields")).ToContainTextAsync("2 desired, 2 updated, 2 ready, 2 available", Slow);
        await Expect(page.GetByTestId("object-conditions")).ToContainTextAsync("MinimumReplicasAvailable");
        await Expect(page.GetByTestId("object-labels")).ToContainTextAsync("app.kubernetes.io/name=web");
        await Expect(page.GetByTestId("object-related").GetByRole(AriaRole.Link, new() { Name = pod })).ToBeVisibleAsync();

        // The Deployment from the Workloads tab, the Service from the Services tab.
        await page.GotoAsync($"/clusters/{_clusterId}?tab=workloads");
        await page.GetByTestId("workload-name").GetByRole(AriaRole.Link, new() { Name = "web" }).ClickAsync();
        await Expect(page.GetByTestId("object-kind")).ToHaveTextAsync("Deployment");
        await page.GotoAsync($"/clusters/{_clusterId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Services", Exact = true }).ClickAsync();
        await page.GetByTestId("service-name").GetByRole(AriaRole.Link, new() { Name = "web" }).ClickAsync();
        await Expect(page.GetByTestId("object-kind")).ToHaveTextAsync("Service");
        await Expect(page.GetByTestId("object-fields")).ToContainTextAsync("80/TCP → 8080");
        await Expect(page.GetByTestId("object-related")).ToContainTextAsync("Selected pod");
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(page.GetByTestId("object-yaml")).ToContainTextAsync("name: web");

        // An event: what happened to which object, linking to it.
        await page.GotoAsync($"/clusters/{_clusterId}?tab=events");
        var scheduled = page.GetByTestId("events-table").Locator("tr").Filter(new() { HasText = $"Pod/{pod}" })
            .Filter(new() { Has = page.GetByTestId("event-reason").GetByText("Scheduled", new() { Exact = true }) });
        await scheduled.GetByRole(AriaRole.Link, new() { Name = "Scheduled" }).ClickAsync();
        await Expect(page.GetByTestId("object-kind")).ToHaveTextAsync("Event");
        await Expect(page.GetByTestId("object-fields")).ToContainTextAsync($"Pod/{pod}");
        await Expect(page.GetByTestId("object-fields")).ToContainTextAsync($"Successfully assigned {ns.Namespace}/{pod}");
        await Expect(page.GetByTestId("object-related").GetByRole(AriaRole.Link, new() { Name = pod })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_member_opens_their_own_pod_but_another_workspaces_pod_is_not_found()
    {
        var member = await browser.App.CreateUserAsync();
        var stranger = await browser.App.CreateUserAsync();
        var (_, own) = await ConsoleWorld.ServiceMapAsync(browser.App, _clusterId, member, "mine");
        var (_, theirs) = await ConsoleWorld.ServiceMapAsync(browser.App, _clusterId, stranger, "theirs");
        await ConsoleWorld.DeployAsync(browser.App, own.MapId, "web", replicas: 1);
        await ConsoleWorld.DeployAsync(browser.App, theirs.MapId, "api", replicas: 1);
        var ownPod = await ConsoleWorld.RunningPodAsync(browser.App, _clusterId, own.Namespace);
        var theirPod = await ConsoleWorld.RunningPodAsync(browser.App, _clusterId, theirs.Namespace);
        var page = await browser.SignedInAsync(member.UserName, member.Password);

        await page.GotoAsync($"/clusters/{_clusterId}/objects/pods/{theirs.Namespace}/{theirPod}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("No such object");
        await Expect(page.GetByTestId("object-not-found")).ToContainTextAsync("It may have been deleted, or it may belong to another team.");
        await Expect(page.GetByTestId("object-containers")).ToHaveCountAsync(0);

        await page.GotoAsync($"/clusters/{_clusterId}?tab=pods");
        await Expect(page.GetByTestId("pod-name")).ToHaveTextAsync([ownPod], new() { Timeout = 20_000 });
        await page.GetByTestId("pod-name").GetByRole(AriaRole.Link, new() { Name = ownPod }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = ownPod, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("container-name")).ToHaveTextAsync("web");
    }

    [Fact]
    public async Task a_crash_looping_pod_shows_its_restarts_last_termination_and_the_previous_containers_log()
    {
        _sim.Objects.EnsureNamespace("batch");
        _sim.Objects.Create("""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "crasher", "namespace": "batch", "annotations": {"kubesim.cocktail.io/crash-loop": "true"}},
             "spec": {"containers": [{"name": "app", "image": "registry.example.com/batch/app:2"}]}}
            """);
        await _sim.Objects.WaitForAsync("v1", "Pod", "crasher", "batch",
            p => p["status"]?["containerStatuses"]?[0]?["lastState"]?["terminated"] is not null, TimeSpan.FromSeconds(20));
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        await page.GotoAsync($"/clusters/{_clusterId}/objects/pods/batch/crasher");
        var container = page.GetByTestId("object-container");
        await Expect(container).ToContainTextAsync("Waiting: CrashLoopBackOff");
        await Expect(container).ToContainTextAsync("Error (exit code 1)");
        await container.GetByRole(AriaRole.Button, new() { Name = "Logs" }).ClickAsync();
        await page.GetByLabel("Previous container").CheckAsync();
        await Expect(page.GetByTestId("pod-log-status")).ToContainTextAsync("before its last restart", Slow);
        await Expect(page.GetByTestId("pod-log")).ToContainTextAsync("INFO crasher/app request served", Slow);
    }
}
