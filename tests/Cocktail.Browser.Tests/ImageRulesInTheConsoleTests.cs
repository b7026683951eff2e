using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>A platform admin sets a workspace's image rules in the policy editor; the policy report lists the exceptions in force.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ImageRulesInTheConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_platform_admin_sets_the_image_rules_and_the_policy_report_lists_the_exceptions_in_force()
    {
        using var admin = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspace = (string)(await ConsoleWorld.SendAsync(admin, "/api/v1/workspaces", new { name }))["id"]!;
        var granted = await admin.PostAsJsonAsync($"/api/v1/workspaces/{workspace}/vulnerability-exceptions", new
        {
            vulnerabilityId = "CVE-2024-3094", imagePattern = $"{name}/*", reason = "Vendor patch due next sprint", validUntil = DateTimeOffset.UtcNow.AddDays(10),
        });
        Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());

        var page = await browser.SignedInAsync(Cocktail.Testing.CocktailApp.AdminUserName, Cocktail.Testing.CocktailApp.AdminPassword);
        await page.GotoAsync($"/workspaces/{workspace}");
        var panel = page.GetByTestId("workspace-policy");
        await Expect(panel.GetByTestId("policy-images.blockCritical")).ToContainTextAsync("allowed");
        var exceptions = page.GetByTestId("policy-report-exceptions");
        await Expect(exceptions).ToContainTextAsync("CVE-2024-3094");
        await Expect(exceptions).ToContainTextAsync("Vendor patch due next sprint");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Edit policy" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Block images with critical vulnerabilities").CheckAsync();
        await dialog.GetByLabel("Max high vulnerabilities").FillAsync("3");
        await dialog.GetByLabel("Max scan age (days)").FillAsync("14");
        await dialog.GetByTestId("save-policy").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(panel.GetByTestId("policy-images.blockCritical")).ToContainTextAsync("blocked");
        await Expect(panel.GetByTestId("policy-images.maxHigh")).ToContainTextAsync("at most 3");
        await Expect(panel.GetByTestId("policy-images.requireScan")).ToContainTextAsync("blocked");
        await Expect(panel.GetByTestId("policy-images.maxScanAgeDays")).ToContainTextAsync("at most 14 days");
        var saved = await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/workspaces/{workspace}/policy");
        Assert.Equal((true, 3, 14), ((bool)saved!["images"]!["blockCritical"]!, (int)saved["images"]!["maxHigh"]!, (int)saved["images"]!["maxScanAgeDays"]!));
    }
}
