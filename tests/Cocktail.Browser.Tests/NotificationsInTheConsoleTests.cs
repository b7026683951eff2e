using System.Collections.Concurrent;
using System.Net.Http.Json;
using Cocktail.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>A workspace admin adds a webhook channel on the workspace's Notifications page and sends it a test notification.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationsInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private WebApplication _receiver = default!;
    private readonly ConcurrentQueue<string> _bodies = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.Run(async http =>
        {
            _bodies.Enqueue(await new StreamReader(http.Request.Body).ReadToEndAsync());
            await http.Response.WriteAsync("ok");
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task a_workspace_admin_adds_a_webhook_channel_sends_a_test_and_sees_the_delivery_in_the_log()
    {
        using var admin = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspace = await ConsoleWorld.SendAsync(admin, "/api/v1/workspaces", new { name });
        var wsAdmin = await browser.App.CreateUserAsync();
        await ConsoleWorld.SendAsync(admin, $"/api/v1/workspaces/{workspace["id"]}/members", new { userId = wsAdmin.Id, role = "WorkspaceAdmin" });
        var url = TestSecrets.Remember($"{_receiver.Urls.First().TrimEnd('/')}/hooks/{Guid.NewGuid():N}");

        var page = await browser.SignedInAsync(wsAdmin.UserName, wsAdmin.Password);
        await page.GotoAsync($"/workspaces/{workspace["id"]}/notifications");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Notifications · {name}" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No channels yet")).ToBeVisibleAsync();

        await page.GetByTestId("add-channel").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("ops-hook");
        await dialog.GetByLabel("Webhook URL").FillAsync(url);
        await dialog.GetByTestId("channel-save").ClickAsync();

        await Expect(page.GetByTestId("signing-key")).ToBeVisibleAsync();
        var channels = page.GetByTestId("channels");
        await Expect(channels).ToContainTextAsync("ops-hook");
        await Expect(channels).ToContainTextAsync("URL set (….0.1), signed");
        await Expect(channels).Not.ToContainTextAsync(url);

        await page.GetByRole(AriaRole.Button, new() { Name = "Send a test notification to ops-hook" }).ClickAsync();

        await Expect(page.GetByTestId("test-result")).ToContainTextAsync("Test notification delivered to ops-hook: 200");
        var log = page.GetByTestId("delivery-log");
        await Expect(log).ToContainTextAsync("200");
        await Expect(log).ToContainTextAsync("[test] CocktailTestNotification: Test notification for the channel ops-hook");
        Assert.Contains(_bodies, b => b.Contains("CocktailTestNotification"));
    }
}
