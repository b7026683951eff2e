using System.Net.Http.Json;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class UsersInTheConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task an_admin_signs_in_creates_a_user_and_sees_it_in_the_list_and_in_the_audit_trail()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        var userName = $"ui-{Guid.NewGuid():N}"[..11];

        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("User name").FillAsync(userName);
        await dialog.GetByLabel("Display name").FillAsync("Browser Created");
        await dialog.GetByLabel("Initial password").FillAsync("a-long-enough-password");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(page.GetByText($"User {userName} created.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("user-row-name").Filter(new() { HasText = userName })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        var row = page.Locator("tr").Filter(new() { HasText = "UserRegistered" }).First;
        await Expect(row).ToContainTextAsync("admin");
        await row.ClickAsync();
        await Expect(page.GetByTestId("audit-data")).ToContainTextAsync(userName);
    }

    [Fact]
    public async Task the_console_refuses_an_invalid_user_name_with_the_api_s_message()
    {
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await page.GotoAsync("/settings/users");
        await page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);

        await dialog.GetByLabel("User name").FillAsync("Not Valid");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(dialog.GetByText("User names use lowercase letters")).ToBeVisibleAsync();
        await Expect(dialog).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_wrong_password_is_refused_on_the_sign_in_page()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.Locator("#userName").FillAsync(CocktailApp.AdminUserName);
        await page.Locator("#password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByTestId("login-error")).ToHaveTextAsync("The user name or password is not right.");
    }

    [Fact]
    public async Task an_admin_unlocks_a_locked_out_user_and_the_pages_break_no_content_security_policy()
    {
        var user = await browser.App.CreateUserAsync();
        using (var anonymous = browser.App.Anonymous())
            for (var i = 0; i < 5; i++)
                await anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { userName = user.UserName, password = $"wrong-password-{i}", name = "t", expiresInDays = 1 });
        var page = await browser.SignedInAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        await page.GotoAsync("/settings/users");
        await page.GetByPlaceholder("Search by name").FillAsync(user.UserName);
        await page.GetByPlaceholder("Search by name").PressAsync("Enter");
        // The search re-reads the table and re-draws its rows: a click on the row drawn before that lands on a button
        // whose handler is gone (seen in CI: the user stayed locked), so the click waits for the filtered table.
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        var row = page.Locator("tr").Filter(new() { HasText = user.UserName });
        await Expect(row).ToContainTextAsync("Locked");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Unlock {user.UserName}" }).ClickAsync();

        await Expect(page.GetByText($"{user.UserName} can sign in again.")).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("Active");
        Assert.Equal(System.Net.HttpStatusCode.Created, (await browser.App.Anonymous().PostAsJsonAsync("/api/v1/auth/tokens",
            new { userName = user.UserName, password = user.Password, name = "t", expiresInDays = 1 })).StatusCode);
        Assert.DoesNotContain(browser.ConsoleMessages, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
