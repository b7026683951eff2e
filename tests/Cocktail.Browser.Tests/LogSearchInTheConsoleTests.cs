using System.Text.RegularExpressions;
using Cocktail.Application.Logs;
using Cocktail.KubeSim;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using static Cocktail.Browser.Tests.ConsoleWorld;

namespace Cocktail.Browser.Tests;

/// <summary>
/// The Logs page as a member uses it: a word found with its pod and the lines around it, a live tail, another team's
/// lines out of reach, and "Show logs" from a workload page opening the search pre-filled.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
public sealed class LogSearchInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
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
    public async Task a_member_searches_a_word_and_sees_the_matching_line_with_its_pod_severity_and_histogram()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, member);
        var pod = $"checkout-5d8f7-{Guid.NewGuid():N}"[..21];
        var word = $"declined{Guid.NewGuid():N}"[..14];
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var lines = Enumerable.Range(1, 15).Select(i => Line(team, pod, "web", start.AddSeconds(i),
            i == 8 ? $"payment {word} for order 1042" : $"tick {i} of the checkout loop")).ToList();
        lines.Add(Line(team, "cart-0", "web", start.AddSeconds(30), "an unrelated line from another pod"));
        await AppendAsync(lines);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync("/logs");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync(word);
        await page.GetByTestId("logs-search").ClickAsync();

        var row = page.GetByTestId("logs-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("logs-pod")).ToContainTextAsync(pod);
        await Expect(row.GetByTestId("logs-body")).ToHaveTextAsync($"payment {word} for order 1042");
        await Expect(row.GetByTestId("logs-match")).ToHaveTextAsync(word);
        await Expect(row.GetByTestId("logs-severity")).ToHaveTextAsync("INFO");
        await Expect(page.GetByTestId("logs-histogram")).ToHaveAttributeAsync("data-total", "1");

        // An unbalanced quote is refused at the field, not with an empty result.
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("\"payment declined");
        await page.GetByTestId("logs-search").ClickAsync();
        await Expect(page.GetByText("quote", new() { Exact = false }).First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("logs-row")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task expanding_a_found_line_shows_the_lines_its_container_wrote_around_it()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, member);
        var pod = $"checkout-5d8f7-{Guid.NewGuid():N}"[..21];
        var word = $"declined{Guid.NewGuid():N}"[..14];
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var lines = Enumerable.Range(1, 15).Select(i => Line(team, pod, "web", start.AddSeconds(i),
            i == 8 ? $"payment {word} for order 1042" : $"tick {i} of the checkout loop")).ToList();
        lines.Add(Line(team, "cart-0", "web", start.AddSeconds(30), "an unrelated line from another pod"));
        await AppendAsync(lines);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync("/logs");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync(word);
        await page.GetByTestId("logs-search").ClickAsync();

        var row = page.GetByTestId("logs-row");
        await Expect(row).ToHaveCountAsync(1);
        await row.GetByTestId("logs-expand").ClickAsync();
        var context = page.GetByTestId("logs-context-line");
        await Expect(context).ToHaveCountAsync(15);
        await Expect(context.Nth(6)).ToContainTextAsync("tick 7 of the checkout loop");
        await Expect(context.Nth(7)).ToContainTextAsync($"payment {word} for order 1042");
        await Expect(context.Nth(8)).ToContainTextAsync("tick 9 of the checkout loop");
        await Expect(page.GetByTestId("logs-context")).Not.ToContainTextAsync("unrelated line from another pod");
    }

    [Fact]
    public async Task live_tail_puts_new_lines_at_the_top_without_a_reload_and_pausing_holds_them()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, member);
        var pod = $"tailer-{Guid.NewGuid():N}"[..14];
        await AppendAsync([Line(team, pod, "app", DateTimeOffset.UtcNow.AddSeconds(-30), "started, listening on :8080")]);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/logs?pod={pod}&range=15m");
        await Expect(page.GetByTestId("logs-row")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.__sameDocument = true");
        await page.GetByText("Live tail").ClickAsync();
        await Expect(page.GetByTestId("logs-tail-status")).ToHaveTextAsync("Following new lines");

        await AppendAsync([Line(team, pod, "app", DateTimeOffset.UtcNow, "GET /orders 200 in 12 ms")]);
        await Expect(page.GetByTestId("logs-row")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("logs-body").First).ToHaveTextAsync("GET /orders 200 in 12 ms");

        await page.GetByTestId("logs-tail-pause").ClickAsync();
        await Expect(page.GetByTestId("logs-tail-status")).ToContainTextAsync("Paused");
        await AppendAsync([Line(team, pod, "app", DateTimeOffset.UtcNow, "GET /orders 500 in 3 ms", severity: 17)]);
        // Held while paused, then shown on resume.
        await Expect(page.GetByTestId("logs-row")).ToHaveCountAsync(2);
        await page.GetByTestId("logs-tail-pause").ClickAsync();
        await Expect(page.GetByTestId("logs-row")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("logs-body").First).ToHaveTextAsync("GET /orders 500 in 3 ms");
        await Expect(page.GetByTestId("logs-severity").First).ToHaveTextAsync("ERROR");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page must not reload");
    }

    [Fact]
    public async Task a_member_of_workspace_b_does_not_find_a_line_of_workspace_a()
    {
        var alice = await browser.App.CreateUserAsync();
        var bob = await browser.App.CreateUserAsync();
        var teamA = await TeamAsync(browser.App, _clusterId, alice);
        var teamB = await TeamAsync(browser.App, _clusterId, bob);
        var word = $"saucepan{Guid.NewGuid():N}"[..14];
        await AppendAsync([Line(teamA, "recipes-0", "app", DateTimeOffset.UtcNow.AddMinutes(-1), $"the secret {word} recipe")]);
        await AppendAsync([Line(teamB, "menu-0", "app", DateTimeOffset.UtcNow.AddMinutes(-1), "bob's own line")]);

        var bobsPage = await browser.SignedInAsync(bob.UserName, bob.Password);
        await bobsPage.GotoAsync($"/logs?q={word}");
        await Expect(bobsPage.GetByTestId("logs-empty")).ToContainTextAsync("No lines match: widen the range or check that the cluster ships logs");
        await Expect(bobsPage.GetByTestId("logs-row")).ToHaveCountAsync(0);
        // Even asking for workspace A by its id finds nothing.
        await bobsPage.GotoAsync($"/logs?workspace={teamA.WorkspaceId}&q={word}");
        await Expect(bobsPage.GetByTestId("logs-empty")).ToBeVisibleAsync();
        await bobsPage.GotoAsync("/logs?q=bob");
        await Expect(bobsPage.GetByTestId("logs-body")).ToHaveTextAsync(["bob's own line"]);

        var alicesPage = await browser.SignedInAsync(alice.UserName, alice.Password);
        await alicesPage.GotoAsync($"/logs?q={word}");
        await Expect(alicesPage.GetByTestId("logs-body")).ToHaveTextAsync([$"the secret {word} recipe"]);
    }

    [Fact]
    public async Task show_logs_on_a_workload_page_opens_the_search_of_that_workload_for_the_last_hour()
    {
        var member = await browser.App.CreateUserAsync();
        var team = await TeamAsync(browser.App, _clusterId, member);
        var workloadId = await DeployAsync(browser.App, team.MapId, "web", replicas: 1);
        await AppendAsync([
            Line(team, "web-6b7c9-abcde", "web", DateTimeOffset.UtcNow.AddMinutes(-2), "served /checkout in 40 ms", workload: "web"),
            Line(team, "worker-0", "worker", DateTimeOffset.UtcNow.AddMinutes(-2), "a line of another workload", workload: "worker"),
            Line(team, "web-6b7c9-abcde", "web", DateTimeOffset.UtcNow.AddHours(-3), "too old for the last hour", workload: "web"),
        ]);

        var page = await browser.SignedInAsync(member.UserName, member.Password);
        await page.GotoAsync($"/workloads/{workloadId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web", Exact = true })).ToBeVisibleAsync();
        await page.GetByTestId("show-logs").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/logs\\?cluster={_clusterId}&workspace={team.WorkspaceId}&serviceMap={team.MapId}&workload=web$"));
        await Expect(page.GetByLabel("Workload", new() { Exact = true })).ToHaveValueAsync("web");
        await Expect(page.GetByLabel("Cluster", new() { Exact = true })).ToHaveValueAsync(_sim.Name);
        await Expect(page.GetByLabel("Service map", new() { Exact = true })).ToHaveValueAsync(team.MapName);
        await Expect(page.GetByTestId("logs-body")).ToHaveTextAsync(["served /checkout in 40 ms"]);
        await Expect(page.GetByTestId("logs-pod")).ToContainTextAsync(["web-6b7c9-abcde"]);
    }

    private static IncomingLogLine Line(Team team, string pod, string container, DateTimeOffset time, string body, int severity = 9,
        string? workload = null) =>
        new(time, time, severity, null, body, false, default, Guid.Parse(team.WorkspaceId), Guid.Parse(team.MapId), team.Namespace, pod, container,
            "node-1", workload is null ? null : "Deployment", workload);

    private async Task AppendAsync(IReadOnlyList<IncomingLogLine> lines)
    {
        var store = browser.App.Services.GetRequiredService<ILogStore>();
        var result = await store.AppendAsync(lines.Select(l => l with { ClusterId = _clusterId }).ToList(), CancellationToken.None);
        Assert.Equal(lines.Count, result.Stored);
    }
}
