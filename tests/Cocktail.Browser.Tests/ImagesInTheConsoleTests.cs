using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>A developer browses the workspace registry's repositories to a repository's tags, and deletes one.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ImagesInTheConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_developer_opens_images_from_the_workspace_sees_a_repositorys_tags_and_deletes_one()
    {
        using var admin = await browser.App.AsAdminAsync();
        var name = $"ws-{Guid.NewGuid():N}"[..11];
        var workspace = await ConsoleWorld.SendAsync(admin, "/api/v1/workspaces", new { name });
        var developer = await browser.App.CreateUserAsync();
        await ConsoleWorld.SendAsync(admin, $"/api/v1/workspaces/{workspace["id"]}/members", new { userId = developer.Id, role = "Developer" });

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workspaces/{workspace["id"]}/registry/repositories");
        await Expect(page.GetByText("No images yet")).ToBeVisibleAsync();

        var repository = $"{name}/shop/web";
        var (one, two) = ("sha256:" + new string('a', 64), "sha256:" + new string('b', 64));
        await NotifyAsync(Push(repository, "v1.0.0", one, 734003, "robot$ci"), Push(repository, "v1.1.0", two, 2_400_000, developer.UserName));

        await page.GotoAsync($"/workspaces/{workspace["id"]}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Images" }).ClickAsync();
        var repositories = page.GetByTestId("image-repositories");
        await Expect(repositories).ToContainTextAsync(repository);
        await repositories.GetByRole(AriaRole.Link, new() { Name = repository }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = repository })).ToBeVisibleAsync();
        var tags = page.GetByTestId("image-tags");
        await Expect(tags).ToContainTextAsync("v1.0.0");
        await Expect(tags).ToContainTextAsync("sha256:aaaaaaaaaaaa");
        await Expect(tags).ToContainTextAsync("716.8 KiB");
        await Expect(tags).ToContainTextAsync("robot$ci");
        await Expect(tags).ToContainTextAsync("v1.1.0");
        await Expect(tags).ToContainTextAsync("2.3 MiB");
        await Expect(page.GetByTestId("retention")).ToContainTextAsync("No rule: every tag stays");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete v1.0.0" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(tags).Not.ToContainTextAsync("v1.0.0");
        await Expect(tags).ToContainTextAsync("v1.1.0");
    }

    private static JsonObject Push(string repository, string tag, string digest, long size, string actor) => new()
    {
        ["id"] = Guid.NewGuid().ToString(), ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"), ["action"] = "push",
        ["target"] = new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["size"] = size, ["digest"] = digest, ["length"] = size,
            ["repository"] = repository, ["tag"] = tag,
        },
        ["request"] = new JsonObject { ["addr"] = "10.1.2.3:5000", ["method"] = "PUT", ["useragent"] = "skopeo" },
        ["actor"] = new JsonObject { ["name"] = actor },
    };

    private async Task NotifyAsync(params JsonObject[] events)
    {
        using var client = browser.App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BrowserFixture.RegistryNotificationSecret);
        var body = new JsonObject { ["events"] = new JsonArray(events.Select(e => e.DeepClone()).ToArray()) }.ToJsonString();
        var response = await client.PostAsync("/api/v1/registry/notifications",
            new StringContent(body, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
