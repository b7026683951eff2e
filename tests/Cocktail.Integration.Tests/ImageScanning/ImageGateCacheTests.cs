using System.Net;
using System.Net.Http.Json;
using Cocktail.Domain.ImageScanning;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using static Cocktail.Integration.Tests.ImageScanning.ImageGateWorld;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>The webhook keeps a namespace's rules and exceptions for ten minutes here, far longer than any wait below.</summary>
public sealed class ImageGateCacheApp : CocktailApp
{
    public ImageGateCacheApp()
    {
        WithSetting("Cocktail:Registry:Address", VulnerabilitiesApp.RegistryAddress);
        WithSetting("Cocktail:Registry:ApiUrl", "http://127.0.0.1:9/");
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:ImageGate:InputsCacheTtl", "00:10:00");
    }
}

public sealed class ImageGateCacheTests(ImageGateCacheApp app) : IClassFixture<ImageGateCacheApp>
{
    [Fact]
    public async Task an_exception_granted_through_the_api_counts_at_the_webhook_at_once_not_when_its_cache_expires()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "cached");
        var policy = await t.Admin.PutAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/policy", new { images = new { blockCritical = true } });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var repository = $"{t.WorkspaceName}/shop/web";
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)));
        await ScanSeeds.StoreScanAsync(app, digest, repository, "v1", Guid.Parse(t.WorkspaceId), DateTimeOffset.UtcNow,
            ScanSeeds.Cve(Cve, Severity.Critical));
        var image = $"{VulnerabilitiesApp.RegistryAddress}/{repository}@{digest}";
        using var admission = await AdmissionClientAsync(app);

        // The first review fills the cache with the namespace's rules and (no) exceptions.
        var refused = (await (await PostReviewAsync(admission, t.ClusterId, Review("cached", image))).BodyAsync())["response"]!;
        Assert.False((bool)refused["allowed"]!);
        Assert.Contains(Cve, (string)refused["status"]!["message"]!);

        var granted = await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/vulnerability-exceptions",
            new { vulnerabilityId = Cve, imagePattern = repository, reason = "Fixed upstream; rebuilding", validUntil = DateTimeOffset.UtcNow.AddDays(3) });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);

        var admitted = await Eventually.GetAsync(async () => (await (await PostReviewAsync(admission, t.ClusterId, Review("cached", image, uid: "rev-2"))).BodyAsync())["response"]!,
            r => (bool)r["allowed"]!, TimeSpan.FromSeconds(10), "the webhook to admit the image once the exception is granted");
        Assert.Equal("rev-2", (string)admitted["uid"]!);
    }
}
