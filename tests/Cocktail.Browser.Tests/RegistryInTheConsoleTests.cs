using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>A workspace admin makes a robot account on the workspace's Registry page, copies its password (shown once) and revokes it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RegistryInTheConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_workspace_admin_creates_a_robot_account_sees_its_password_once_and_revokes_it()
    {
        using var admin = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspace = await ConsoleWorld.SendAsync(admin, "/api/v1/workspaces", new { name });
        var wsAdmin = await browser.App.CreateUserAsync();
        await ConsoleWorld.SendAsync(admin, $"/api/v1/workspaces/{workspace["id"]}/members", new { userId = wsAdmin.Id, role = "WorkspaceAdmin" });

        var page = await browser.SignedInAsync(wsAdmin.UserName, wsAdmin.Password);
        await page.GotoAsync($"/workspaces/{workspace["id"]}");
        await page.GetByTestId("workspace-registry").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Registry · {name}" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("registry-prefix")).ToHaveTextAsync($"{browser.RegistryAddress}/{name}/");
        await Expect(page.GetByText("No robot accounts yet")).ToBeVisibleAsync();

        await page.GetByTestId("create-robot").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("Bad Name");
        await dialog.GetByTestId("robot-create").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Robot names are lowercase letters");
        await dialog.GetByLabel("Name").FillAsync("ci-push");
        await dialog.GetByTestId("robot-create").ClickAsync();

        await Expect(dialog.GetByTestId("robot-user-name")).ToHaveTextAsync($"robot${name}+ci-push");
        var password = TestSecrets.Remember((await dialog.GetByTestId("robot-password").TextContentAsync())!.Trim());
        Assert.StartsWith("ckr_", password);
        await dialog.GetByTestId("robot-done").ClickAsync();

        var robots = page.GetByTestId("robots");
        await Expect(robots).ToContainTextAsync($"robot${name}+ci-push");
        await Expect(robots).ToContainTextAsync("Active");
        await Expect(robots).Not.ToContainTextAsync(password);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke robot${name}+ci-push" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(robots).ToContainTextAsync("Revoked");
    }
}
