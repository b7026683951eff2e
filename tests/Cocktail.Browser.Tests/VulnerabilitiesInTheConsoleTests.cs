using System.Text;
using System.Text.RegularExpressions;
using Cocktail.Application.ImageScanning;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Registries;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

/// <summary>
/// A workspace admin opens the workspace's Vulnerabilities page: an image with a critical CVE, the workload running it,
/// the CVE's details, and an exception granted from the finding, listed with its reason and end.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VulnerabilitiesInTheConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Cve = "CVE-2024-3094";

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
    public async Task the_vulnerability_view_shows_an_image_with_its_critical_cve_and_the_workload_running_it()
    {
        var (admin, team, repository) = await CriticalImageRunningAsync();
        var page = await browser.SignedInAsync(admin.UserName, admin.Password);
        await page.GotoAsync($"/workspaces/{team.WorkspaceId}");
        await page.GetByTestId("workspace-vulnerabilities").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Vulnerabilities · {team.WorkspaceName}" })).ToBeVisibleAsync();

        var images = page.GetByTestId("vulnerable-images");
        await Expect(images).ToContainTextAsync(repository);
        await Expect(images).ToContainTextAsync("1 Critical");
        await Expect(images).ToContainTextAsync("1 High");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Affected workloads" }).ClickAsync();
        var affected = page.GetByTestId("affected-workloads");
        await Expect(affected).ToContainTextAsync("web");
        await Expect(affected).ToContainTextAsync(Cve);
        await Expect(affected).ToContainTextAsync(team.Namespace);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Images" }).ClickAsync();
        await images.GetByRole(AriaRole.Link, new() { Name = repository }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = repository })).ToBeVisibleAsync();
        var findings = page.GetByTestId("image-vulnerabilities");
        await Expect(findings).ToContainTextAsync(Cve);
        await Expect(findings).ToContainTextAsync("xz-utils");
        await Expect(findings).ToContainTextAsync("5.6.0");
        await Expect(findings).ToContainTextAsync("5.6.1");
        await Expect(findings).ToContainTextAsync("Critical");
        await Expect(findings.GetByRole(AriaRole.Link, new() { Name = Cve })).ToHaveAttributeAsync("href", $"https://nvd.nist.gov/vuln/detail/{Cve}");
        await Expect(page.GetByTestId("image-running-in")).ToContainTextAsync("web");
    }

    [Fact]
    public async Task granting_an_exception_from_the_image_detail_waives_the_cve_and_lists_the_exception_with_its_reason_and_expiry()
    {
        var (admin, team, repository) = await CriticalImageRunningAsync();
        var page = await browser.SignedInAsync(admin.UserName, admin.Password, timeZone: "UTC");
        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/vulnerabilities");
        await page.GetByTestId("vulnerable-images").GetByRole(AriaRole.Link, new() { Name = repository }).ClickAsync();
        var findings = page.GetByTestId("image-vulnerabilities");
        await Expect(findings).ToContainTextAsync(Cve);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Grant an exception for {Cve} in xz-utils" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByLabel("Vulnerability")).ToHaveValueAsync(Cve);
        await Expect(dialog.GetByLabel("Images")).ToHaveValueAsync(repository);
        // No reason: refused, and the dialog says so beside the field.
        await dialog.GetByTestId("exception-grant").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Say why the vulnerability is accepted.");
        await dialog.GetByLabel("Reason").FillAsync("The backdoor needs sshd, which this image does not run");
        await dialog.GetByLabel("Valid for (days)").FillAsync("20");
        await dialog.GetByTestId("exception-grant").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(findings.GetByTestId("waived")).ToBeVisibleAsync();
        await Expect(findings).ToContainTextAsync("The backdoor needs sshd");

        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/vulnerabilities");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Exceptions" }).ClickAsync();
        var exceptions = page.GetByTestId("exceptions");
        await Expect(exceptions).ToContainTextAsync(Cve);
        await Expect(exceptions).ToContainTextAsync(repository);
        await Expect(exceptions).ToContainTextAsync("The backdoor needs sshd, which this image does not run");
        await Expect(exceptions).ToContainTextAsync(DateTimeOffset.UtcNow.AddDays(20).ToString("yyyy-MM-dd"));
        await Expect(exceptions).ToContainTextAsync("Active");
    }

    [Fact]
    public async Task an_image_never_scanned_is_listed_as_not_scanned_and_scan_again_queues_it()
    {
        var developer = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, developer, role: "Developer");
        var repository = $"{team.WorkspaceName}/shop/legacy";
        var digest = Digest(repository);
        await PushedWhileScanningWasOffAsync(team, repository, "v0", digest);

        var page = await browser.SignedInAsync(developer.UserName, developer.Password);
        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/vulnerabilities");
        var row = page.GetByTestId("vulnerable-images").GetByRole(AriaRole.Row).Filter(new() { HasText = repository });
        await Expect(row.GetByTestId("image-scan-status")).ToHaveTextAsync("Not scanned");

        await row.GetByRole(AriaRole.Link, new() { Name = repository }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = repository })).ToBeVisibleAsync();
        var status = page.GetByTestId("image-scan-status");
        await Expect(status).ToHaveTextAsync("Not scanned");
        await page.GetByTestId("scan-again").ClickAsync();
        // The scan is queued, and then runs or fails on its own; without a build cluster it fails at once, saying so.
        // Whichever it is, the page follows it: the image is no longer "Not scanned".
        await Expect(status).ToHaveTextAsync(new Regex(@"^\s*(Queued|Scanning|Scanned|Failed)\s*$"));
        if ((await status.TextContentAsync())!.Trim() == "Failed")
            await Expect(page.GetByTestId("image-last-attempt")).ToContainTextAsync(new Regex(@"failed: \S+"));

        await page.GotoAsync($"/workspaces/{team.WorkspaceId}/vulnerabilities");
        await Expect(row.GetByTestId("image-scan-status")).Not.ToHaveTextAsync("Not scanned");
    }

    private static string Digest(string repository) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(repository)));

    /// <summary>
    /// A push recorded as the registry's notification records it, but with no scan queued: what Cocktail holds for an
    /// image pushed while image scanning was off (or before it was set up).
    /// </summary>
    private async Task PushedWhileScanningWasOffAsync(ConsoleWorld.Team team, string repository, string tag, string digest)
    {
        var store = browser.App.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession();
        var id = ImageRepository.IdFor(repository);
        session.Events.StartStream<ImageRepository>(id, new ImagePushed(id, Guid.Parse(team.WorkspaceId), team.WorkspaceName, repository, tag, digest, 1234,
            "application/vnd.oci.image.manifest.v1+json", "robot$ci", "10.1.2.3", Guid.NewGuid().ToString(), DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    /// <summary>
    /// A workspace (its admin signed in) whose registry holds shop/web:v1 with a critical and a high finding, run by a
    /// Deployment "web". The scan is stored as the scanner's ingestion stores it, straight through a Marten session of
    /// the test host (the scanning flow itself is tested with the scanner).
    /// </summary>
    private async Task<(TestUser Admin, ConsoleWorld.Team Team, string Repository)> CriticalImageRunningAsync()
    {
        var wsAdmin = await browser.App.CreateUserAsync();
        var team = await ConsoleWorld.TeamAsync(browser.App, _clusterId, wsAdmin, role: "WorkspaceAdmin");
        var repository = $"{team.WorkspaceName}/shop/web";
        var digest = Digest(repository);
        // Recorded without the push's own scan: it would run at once (and fail without a build cluster) and overwrite the scan stored below.
        await PushedWhileScanningWasOffAsync(team, repository, "v1", digest);

        var store = browser.App.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var record = await session.LoadAsync<ImageScanRecord>(digest) ?? new ImageScanRecord { Id = digest };
            record.Saw(new ScannedImageRef(browser.RegistryAddress, repository, "v1", Guid.Parse(team.WorkspaceId)));
            record.Record(new ImageScan(digest, repository, DateTimeOffset.UtcNow, [
                new Vulnerability(Cve, "xz-utils", "5.6.0", "5.6.1", Severity.Critical, "xz: malicious code in the release tarballs"),
                new Vulnerability("CVE-2023-0001", "openssl", "3.0.1", "3.0.9", Severity.High),
            ]), ScanSource.Job, DateTimeOffset.UtcNow);
            session.Store(record);
            await session.SaveChangesAsync();
        }

        using var admin = await browser.App.AsAdminAsync();
        await ConsoleWorld.SendAsync(admin, $"/api/v1/service-maps/{team.MapId}/workloads", new
        {
            name = "web", kind = "Deployment", replicas = 1,
            containers = new[]
            {
                new
                {
                    name = "web", image = $"{browser.RegistryAddress}/{repository}:v1",
                    resources = new { requests = new { cpu = "50m", memory = "64Mi" }, limits = new { cpu = "100m", memory = "128Mi" } },
                },
            },
        });
        return (wsAdmin, team, repository);
    }
}
