using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Cocktail.Application.Registries;
using Cocktail.Domain.Registries;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Benchmarks.Registry;

/// <summary>
/// Issue 16: the registry token realm as registry clients use it, paced at a fixed rate (open loop: each request's
/// time counts from when it was due, so a stall is not hidden by sending less). The caller is a push robot (Basic
/// auth), asking for push and pull on its workspace's repository. Ceilings from the same run on the same host: an
/// authenticated API GET at the same rate (API token lookup plus one read), and signing a token alone.
/// </summary>
public static class RegistryTokenBenchmark
{
    public const string Usage = """
        registry-token options:
          --rate N              token requests per second (200)
          --seconds N           measured time (20), after --warmup-seconds N (3)
          --fast-db             PostgreSQL without fsync (as the tests run it) instead of a durable server
        """;

    public static async Task<int> RunAsync(Arguments args)
    {
        var rate = args.Int("rate", 200);
        var seconds = args.Int("seconds", 20);
        var warmUp = args.Int("warmup-seconds", 3);
        var fastDb = args.Flag("fast-db");
        Console.WriteLine($"Registry token benchmark: {rate} requests/s to GET /api/v1/registry/token as a push robot for {seconds} s after {warmUp} s of " +
                          $"warm-up; {Environment.ProcessorCount} CPUs; PostgreSQL {BenchDatabase.Describe(fastDb)}; .NET {Environment.Version}");

        await using var database = await BenchDatabase.StartAsync(fastDb);
        var app = new CocktailApp().WithDatabase(database.ConnectionString).WithSetting("Cocktail:Registry:Address", "registry.bench:5000");
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AsAdminAsync();
            var workspaceName = $"bench-{Guid.NewGuid():N}"[..12];
            var workspace = await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = workspaceName });
            var robot = await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspace["id"]}/robot-accounts", new { name = "bench", permission = "PushPull" });
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{robot["userName"]}:{robot["password"]}"));
            var tokenPath = $"/api/v1/registry/token?service=cocktail-registry&scope={Uri.EscapeDataString($"repository:{workspaceName}/app:pull,push")}&account={Uri.EscapeDataString((string)robot["userName"]!)}";
            var apiToken = await app.IssueTokenAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
            var readPath = $"/api/v1/workspaces/{workspace["id"]}/robot-accounts";

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
                { BaseAddress = app.BaseAddress };
            HttpRequestMessage Token() => new(HttpMethod.Get, tokenPath) { Headers = { Authorization = new AuthenticationHeaderValue("Basic", basic) } };
            HttpRequestMessage Read() => new(HttpMethod.Get, readPath) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", apiToken) } };

            await PacedAsync(http, Token, rate, TimeSpan.FromSeconds(warmUp));
            await PacedAsync(http, Read, rate, TimeSpan.FromSeconds(warmUp));
            var issuer = app.Services.GetRequiredService<IRegistryTokenIssuer>();
            var signing = SignAlone(issuer, workspaceName, 2000);

            var (tokens, tokenFailures) = await PacedAsync(http, Token, rate, TimeSpan.FromSeconds(seconds));
            var (reads, readFailures) = await PacedAsync(http, Read, rate, TimeSpan.FromSeconds(seconds));

            Console.WriteLine($"  token requests:         {tokens.Count:N0} answered, {tokenFailures} failed");
            Console.WriteLine($"  token issuance:         {Percentiles.Summary(tokens)} (target p99 ≤ 10 ms)");
            Console.WriteLine($"  ceiling, API GET:       {Ceilings.Describe(reads)}, {readFailures} failed (an authenticated GET of the robot list at the same rate)");
            Console.WriteLine($"  token vs API GET:       {Ceilings.Latency(tokens, reads)}");
            Console.WriteLine($"  ceiling, signing alone: {Ceilings.Describe(signing)} (ES256 JWT, in process)");
            var p99 = Percentiles.Of(tokens, 99);
            Console.WriteLine($"  verdict:                p99 {Ceilings.Ms(p99)} {(p99 <= 10 ? "meets" : "misses")} the 10 ms target");
            return tokenFailures == 0 ? 0 : 1;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Sends one request every 1/rate s without waiting for answers; each latency counts from when the request was due.</summary>
    static async Task<(List<double> Millis, int Failures)> PacedAsync(HttpClient http, Func<HttpRequestMessage> request, int rate, TimeSpan duration)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var millis = new double[count];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                using var message = request();
                using var response = await http.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                millis[index] = (clock.Elapsed - due).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
            }));
        }
        await Task.WhenAll(inFlight);
        return (millis.ToList(), failures);
    }

    static List<double> SignAlone(IRegistryTokenIssuer issuer, string workspace, int count)
    {
        var access = new[] { RegistryAccess.Repository($"{workspace}/app", "pull", "push") };
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            issuer.Issue("robot$bench+bench", access);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return times;
    }
}
