using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

/// <summary>The web terminal as a person uses it: open a pod's shell from the workload page, type, exit, replay.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TerminalInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToContainTextOptions SlowContains = new() { Timeout = 20_000 };

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
    public async Task a_developer_opens_a_pods_terminal_types_a_command_exits_and_replays_the_session()
    {
        var developer = await browser.App.CreateUserAsync();
        var (_, workloadId) = await WorkloadAsync(developer, "Developer");
        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workloads/{workloadId}");
        await Expect(page.GetByTestId("workload-ready-pods")).ToHaveTextAsync("1 / 1", Slow);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Pods" }).ClickAsync();
        await page.GetByTestId("workload-pod-terminal").First.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Terminal: web-") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }))
            .ToHaveTextAsync(new Regex($@"Home\s*›\s*Clusters\s*›\s*{_sim.Name}\s*›\s*Pods\s*›\s*\S+/web-\S+\s*›\s*Terminal"));
        var state = page.GetByTestId("terminal-state");
        await Expect(state).ToHaveTextAsync("Not connected. Choose the container and the shell, then Connect.");
        await page.GetByTestId("terminal-connect").ClickAsync();
        await Expect(state).ToContainTextAsync("over v5.channel.k8s.io", SlowContains);
        var terminal = page.GetByTestId("terminal");
        await Expect(terminal).ToContainTextAsync("/ #", SlowContains);

        await terminal.ClickAsync();
        await page.Keyboard.TypeAsync("echo hello-from-terminal");
        await page.Keyboard.PressAsync("Enter");
        var outputLine = terminal.Locator(".xterm-rows > div").Filter(new() { HasTextRegex = new Regex(@"^\s*hello-from-terminal\s*$") });
        await Expect(outputLine).ToHaveCountAsync(1, new() { Timeout = 20_000 });

        await page.Keyboard.TypeAsync("exit");
        await page.Keyboard.PressAsync("Enter");
        await Expect(state).ToHaveTextAsync("Session ended: The command exited with code 0.", Slow);
        await Expect(terminal).ToContainTextAsync("[Session ended: The command exited with code 0.]");

        await page.GotoAsync("/audit/terminal-sessions");
        var sessions = page.GetByTestId("terminal-sessions");
        await Expect(sessions).ToContainTextAsync(developer.UserName);
        await Expect(sessions).ToContainTextAsync("The command exited with code 0.");
        await Expect(sessions).ToContainTextAsync("/bin/sh");
        await sessions.GetByTestId("terminal-session-replay").First.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Terminal session replay" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }))
            .ToHaveTextAsync(new Regex($@"Home\s*›\s*Terminal sessions\s*›\s*{developer.UserName} in web-"));
        await Expect(page.GetByTestId("terminal-replay-summary")).ToContainTextAsync(developer.UserName);
        var replay = page.GetByTestId("replay-terminal");
        await Expect(replay.Locator(".xterm-rows > div").Filter(new() { HasTextRegex = new Regex(@"^\s*hello-from-terminal\s*$") }))
            .ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("replay-state")).ToHaveTextAsync("Replay finished.", Slow);
        await page.GetByTestId("replay-play").ClickAsync();
        await Expect(replay).ToContainTextAsync("hello-from-terminal");

        // The audit trail tells the session in words and replays it from there.
        var sessionId = page.Url.Split('/').Last();
        var admin = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await admin.GotoAsync("/audit");
        var streamFilter = admin.GetByLabel("Stream id");
        await streamFilter.FillAsync(sessionId);
        await streamFilter.PressAsync("Enter");
        var summaries = admin.GetByTestId("audit-summary");
        await Expect(summaries).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        await Expect(summaries.Last).ToContainTextAsync($"{developer.UserName} opened a terminal on ");
        await Expect(summaries.First).ToContainTextAsync(new Regex($@"^{developer.UserName}'s terminal on .+ \(web\) in .+ ended after \d+ s: The command exited with code 0\.$"));
        await admin.GetByTestId("audit-replay").First.ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Terminal session replay" })).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("replay-terminal")).ToContainTextAsync("hello-from-terminal", SlowContains);
    }

    [Fact]
    public async Task a_viewer_sees_in_the_terminal_that_viewers_do_not_open_terminals()
    {
        var viewer = await browser.App.CreateUserAsync();
        var (ns, _) = await WorkloadAsync(viewer, "Viewer", deploy: false);
        var page = await browser.SignedInAsync(viewer.UserName, viewer.Password);
        await page.GotoAsync($"/clusters/{_clusterId}/namespaces/{ns}/pods/anything/terminal?containers=web");
        await page.GetByTestId("terminal-connect").ClickAsync();
        await Expect(page.GetByTestId("terminal-state"))
            .ToContainTextAsync("does not open terminals: Developers and WorkspaceAdmins do.", SlowContains);
        Assert.Equal(0, _sim.ExecRequests);
    }

    /// <summary>A workspace with the user in it, a Ready service map and (unless not wanted) a one-replica Deployment, through the API.</summary>
    private async Task<(string Namespace, string? WorkloadId)> WorkloadAsync(TestUser user, string role, bool deploy = true)
    {
        using var admin = await browser.App.AsAdminAsync();
        var team = await TeamAsync(browser.App, _clusterId, user, role, mapName: $"term-{Guid.NewGuid():N}"[..12]);
        var (mapId, realNamespace) = (team.MapId, team.Namespace);
        if (!deploy) return (realNamespace, null);
        var workload = await SendAsync(admin, $"/api/v1/service-maps/{mapId}/workloads", new
        {
            name = "web", kind = "Deployment", replicas = 1,
            containers = new[]
            {
                new
                {
                    name = "web", image = "registry.example.com/shop/web:1.0",
                    resources = new { requests = new { cpu = "100m", memory = "64Mi" }, limits = new { cpu = "200m", memory = "128Mi" } },
                },
            },
        });
        return (realNamespace, (string)workload["id"]!);
    }
}
