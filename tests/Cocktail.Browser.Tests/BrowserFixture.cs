using Cocktail.Testing;
using Cocktail.Testing.Charts;
using Cocktail.Testing.Registry;
using Microsoft.Playwright;

namespace Cocktail.Browser.Tests;

/// <summary>
/// Cocktail on a real port and Debian's Chromium driven by Playwright. The browser is never downloaded: tests use
/// /usr/bin/chromium (or COCKTAIL_CHROMIUM) and fail with a message saying so when it is missing.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private readonly List<string> _console = [];

    public BrowserFixture()
    {
        App = new CocktailApp()
            .WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01")
            .WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01")
            .WithSetting("Cocktail:Inventory:WatchFailureGrace", "00:00:02")
            .WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:05")
            .WithSetting("Cocktail:Inventory:BackoffMax", "00:00:02")
            // Clusters created through Cluster API are followed quickly, as the provisioning integration tests do.
            .WithSetting("Cocktail:Provisioning:TargetsInterval", "00:00:00.500")
            .WithSetting("Cocktail:Provisioning:LeadershipInterval", "00:00:01")
            .WithSetting("Cocktail:Provisioning:Resync", "00:00:10")
            .WithSetting("Cocktail:Registry:NotificationSecret", RegistryNotificationSecret);
        // A real registry (no auth) where one is installed, so builds can push to it; robot accounts need none.
        if (Registry is not null) App.WithRegistry(Registry);
        else App.WithSetting("Cocktail:Registry:Address", RegistryAddress);
    }

    /// <summary>With quick health probes (as the cluster integration tests use), so pages show transitions in seconds.</summary>
    public CocktailApp App { get; }

    /// <summary>Debian's docker-registry without auth, or null where it is not installed (tests that push skip).</summary>
    public RegistryServer? Registry { get; } = RegistryServer.Available ? RegistryServer.Reserve() : null;

    /// <summary>host:port of the workspace registry as the console shows it.</summary>
    public string RegistryAddress => Registry?.Authority ?? "registry.cocktail.test:5000";

    /// <summary>What the registry would send with its notifications, so tests can report pushes.</summary>
    public static readonly string RegistryNotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));
    public IBrowser Browser { get; private set; } = default!;

    /// <summary>
    /// A chart repository the addon repositories point at (as a mirror would), started before the host so the addon
    /// catalog reads its URL; tests add the charts they need.
    /// </summary>
    public ChartRepositoryServer Charts { get; private set; } = default!;

    /// <summary>The addon repository keys that resolve to <see cref="Charts"/>.</summary>
    public static readonly IReadOnlyList<string> MirroredAddonRepositories = ["jetstack", "metrics-server"];

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("COCKTAIL_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Browser tests need Chromium at {chromium}: apt-get install -y chromium (or set COCKTAIL_CHROMIUM).");
        Charts = await ChartRepositoryServer.StartAsync();
        foreach (var key in MirroredAddonRepositories) App.WithSetting($"Cocktail:Addons:Repositories:{key}", Charts.Url);
        // Flux's reports are followed quickly, as the releases integration tests do.
        App.WithSetting("Cocktail:Releases:Interval", "00:00:00.200");
        await App.InitializeAsync();
        if (Registry is not null) await Registry.StartAsync(new RegistrySettings());
        // A page waits on the server (a circuit, a query, a cluster): on a busy 2-core machine 5 s is not always
        // enough for the first render of a page, so every expectation waits up to 15 s for what it expects.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <param name="timeZone">The browser's time zone (an IANA id); the machine's when null.</param>
    public async Task<IPage> NewPageAsync(string? timeZone = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString(), TimezoneId = timeZone });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { lock (_console) _console.Add(m.Text); };
        return page;
    }

    /// <summary>What the pages wrote to the browser console so far (errors, Content Security Policy violations...).</summary>
    public IReadOnlyList<string> ConsoleMessages
    {
        get { lock (_console) return _console.ToArray(); }
    }

    public async Task<IPage> SignedInAsync(string userName, string password, string? timeZone = null)
    {
        var page = await NewPageAsync(timeZone);
        await page.GotoAsync("/login");
        await page.Locator("#userName").FillAsync(userName);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.GetByTestId("signed-in-user").WaitForAsync();
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = "/tmp/signin-fail.png" });
            await File.WriteAllTextAsync("/tmp/signin-fail.html", await page.ContentAsync() + "\n" + string.Join("\n", _console));
            throw;
        }
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
        if (Charts is not null) await Charts.DisposeAsync();
    }
}

/// <summary>
/// Browser tests run in two collections, each with its own host, database and Chromium, side by side: a test mostly
/// waits (on a rollout, a poll, a debounce), so two at once take little more than one on two cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

[CollectionDefinition(Name)]
public sealed class SecondBrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser-2";
}
