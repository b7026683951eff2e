using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cocktail.Application.Users.Bootstrapping;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cocktail.Testing;

/// <summary>
/// Cocktail as it runs for real: Kestrel on a loopback port, a real PostgreSQL database of its own, Wolverine and
/// Marten as configured in production. Tests talk to it over HTTP like any client.
/// </summary>
public class CocktailApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminUserName = BootstrapAdminHandler.AdminUserName;
    public const string AdminPassword = "admin-password-for-tests";

    private string _connectionString = "";
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly Dictionary<string, string?> _settings = new()
    {
        // Every test signs in from 127.0.0.1, thousands of times; the limit itself is tested with a low one.
        ["Cocktail:SignIn:RateLimit"] = "1000000",
        // The image gate's admission listener on a free loopback port (its certificate names 127.0.0.1).
        ["Cocktail:ImageGate:Listen"] = "https://127.0.0.1:0",
    };

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The image gate's admission listener (HTTPS, its own port), as clusters call it.</summary>
    public Uri AdmissionAddress => Services.GetRequiredService<Cocktail.Web.Admission.AdmissionServer>().Address
        ?? throw new InvalidOperationException("The admission listener is off (Cocktail:ImageGate:Listen is empty).");

    /// <summary>Everything this host logged; checked for secrets when the host stops.</summary>
    public CapturedLog Log { get; } = new();

    /// <summary>
    /// Off for benchmarks: capturing every Debug line costs time that the figures must not include.
    /// </summary>
    public static bool CaptureLogs { get; set; } = true;
    public string ConnectionString => _connectionString;

    /// <summary>Replace or add services before the host starts (for example a fake clock).</summary>
    public CocktailApp WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Use an existing database (for example one a previous host used), instead of a fresh one.</summary>
    public CocktailApp WithDatabase(string connectionString)
    {
        _connectionString = connectionString;
        return this;
    }

    public CocktailApp WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public virtual async Task InitializeAsync()
    {
        if (_connectionString.Length == 0) _connectionString = await TestPostgres.CreateDatabaseAsync("cocktail");
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Cocktail", _connectionString);
        builder.UseSetting("COCKTAIL_ADMIN_PASSWORD", AdminPassword);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            if (!CaptureLogs) return;
            logging.AddProvider(Log);
            logging.AddFilter<CapturedLog>(level => level >= LogLevel.Debug);
        });
        builder.ConfigureServices(services =>
        {
            foreach (var configure in _services) configure(services);
        });
    }

    /// <summary>A plain HTTP client against the real server, with no credentials.</summary>
    public HttpClient Anonymous() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    public async Task<HttpClient> AsAdminAsync() => await AsUserAsync(AdminUserName, AdminPassword);

    /// <summary>Signs in through the API (user name and password for a token), as a script would.</summary>
    public async Task<HttpClient> AsUserAsync(string userName, string password)
    {
        var token = await IssueTokenAsync(userName, password);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> IssueTokenAsync(string userName, string password, int expiresInDays = 7)
    {
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens",
            new { userName, password, name = $"test-{Guid.NewGuid():N}"[..20], expiresInDays });
        response.EnsureSuccessStatusCode();
        var issued = await response.Content.ReadFromJsonAsync<IssuedToken>();
        return TestSecrets.Remember(issued!.Token);
    }

    /// <summary>Creates a user through the API as the admin; answers its id and a client signed in as it.</summary>
    public async Task<TestUser> CreateUserAsync(string role = "User", string? userName = null)
    {
        userName ??= $"u-{Guid.NewGuid():N}"[..14];
        var password = TestSecrets.Remember($"pw-{Guid.NewGuid():N}");
        using var admin = await AsAdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/users", new { userName, displayName = userName, password, role });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedUser>();
        return new TestUser(created!.Id, userName, password, await AsUserAsync(userName, password));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        var leaks = Log.Leaks(TestSecrets.All);
        if (leaks.Count > 0)
            throw new InvalidOperationException($"A secret reached the log:{Environment.NewLine}{string.Join(Environment.NewLine, leaks)}");
    }

    private sealed record IssuedToken(string Token);
    private sealed record CreatedUser(Guid Id);
}

public sealed record TestUser(Guid Id, string UserName, string Password, HttpClient Client);
