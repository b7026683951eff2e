using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Platform;

/// <summary>Cocktail with a scrape token for /metrics and a low limit on password attempts, to see both at work.</summary>
public sealed class EdgeApp : CocktailApp
{
    public const string ScrapeToken = "scrape-token-for-edge-tests-0123456789";

    public EdgeApp() => WithSetting("Cocktail:Metrics:ScrapeToken", TestSecrets.Remember(ScrapeToken));
}

/// <summary>Cocktail with the production limit on password attempts, lowered so that a test reaches it.</summary>
public sealed class RateLimitedApp : CocktailApp
{
    public const int AttemptsPerWindow = 4;

    public RateLimitedApp()
    {
        WithSetting("Cocktail:SignIn:RateLimit", AttemptsPerWindow.ToString());
        WithSetting("Cocktail:SignIn:RateLimitWindow", "00:10:00");
    }
}

public sealed class SignInRateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task password_attempts_from_one_address_are_limited_with_429_and_retry_after()
    {
        using var attacker = app.Anonymous();
        attacker.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.66");
        using var neighbour = app.Anonymous();
        neighbour.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.67");
        object Guess(int i) => new { userName = CocktailApp.AdminUserName, password = $"guess-{i}", name = "t", expiresInDays = 1 };

        for (var i = 0; i < RateLimitedApp.AttemptsPerWindow; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.PostAsJsonAsync("/api/v1/auth/tokens", Guess(i))).StatusCode);
        var limited = await attacker.PostAsJsonAsync("/api/v1/auth/tokens", Guess(99));
        var form = await ConsoleSessionHardeningTests.SignInFormAsync(attacker, CocktailApp.AdminUserName, "guess-on-the-page");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (int?)(await limited.BodyAsync())["status"]);
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await neighbour.PostAsJsonAsync("/api/v1/auth/tokens", Guess(0))).StatusCode);
    }
}

public sealed partial class ConsoleSessionHardeningTests(EdgeApp app) : IClassFixture<EdgeApp>
{
    [Fact]
    public async Task the_console_connection_is_refused_from_another_site_and_accepted_from_its_own()
    {
        using var client = app.Anonymous();
        var own = $"http://{app.BaseAddress.Authority}";

        var foreign = await NegotiateAsync(client, "http://evil.example");
        var same = await NegotiateAsync(client, own);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        var token = (string?)(await same.BodyAsync())["connectionToken"];
        Assert.Equal(HttpStatusCode.Forbidden, await OpenWebSocketAsync(token!, "http://evil.example"));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await OpenWebSocketAsync(token!, own));
    }

    [Fact]
    public async Task the_session_cookie_cannot_change_anything_through_the_api_but_still_downloads()
    {
        using var console = await SignedInConsoleAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        var create = await console.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "from-cookie", expiresInDays = 1 });
        var user = await console.PostAsJsonAsync("/api/v1/users",
            new { userName = "csrf-made", displayName = "Csrf", password = "a-long-enough-password", role = "PlatformAdmin" });
        var me = await console.GetAsync("/api/v1/me");

        // The cookie is not looked at: the API sees an anonymous caller, who must give a user name and password.
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.NotNull((await create.BodyAsync())["errors"]!["userName"]);
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(CocktailApp.AdminUserName, (string?)(await me.BodyAsync())["userName"]);
    }

    [Fact]
    public async Task every_answer_carries_the_security_headers_and_the_console_a_content_security_policy()
    {
        using var client = app.Anonymous();

        foreach (var url in new[] { "/login", "/api/v1/me", "/healthz" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
            Assert.Equal(["same-origin"], response.Headers.GetValues("Referrer-Policy"));
            var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'self';", csp);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), "no HSTS over plain HTTP");
        }
    }

    [Fact]
    public async Task behind_a_tls_proxy_the_cookie_is_secure_hsts_is_sent_and_the_audit_has_the_client_address()
    {
        using var client = app.Anonymous();
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.23");

        var login = await SignInFormAsync(client, CocktailApp.AdminUserName, CocktailApp.AdminPassword);

        Assert.Contains("max-age=", login.Headers.GetValues("Strict-Transport-Security").Single());
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cocktail.session="));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);

        using var admin = await app.AsAdminAsync();
        admin.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.24");
        var created = await (await admin.PostAsJsonAsync("/api/v1/users",
            new { userName = $"fwd-{Guid.NewGuid():N}"[..12], displayName = "Forwarded", password = "a-long-enough-password", role = "User" })).BodyAsync();
        var events = await (await admin.GetAsync($"/api/v1/audit/events?streamId={created["id"]}")).BodyAsync();
        Assert.Equal("198.51.100.24", (string?)events["items"]![0]!["sourceIp"]);
    }

    [Fact]
    public async Task metrics_need_an_admin_an_auditor_or_the_scrape_token()
    {
        using var anonymous = app.Anonymous();
        var user = await app.CreateUserAsync();
        var auditor = await app.CreateUserAsync("Auditor");
        using var prometheus = app.Anonymous();
        prometheus.DefaultRequestHeaders.Authorization = new("Bearer", EdgeApp.ScrapeToken);
        using var admin = await app.AsAdminAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync("/metrics")).StatusCode);
        Assert.Contains("http_requests_received_total", await auditor.Client.GetStringAsync("/metrics"));
        Assert.Contains("http_requests_received_total", await admin.GetStringAsync("/metrics"));
        Assert.Contains("http_requests_received_total", await prometheus.GetStringAsync("/metrics"));
    }

    private static Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        return client.SendAsync(request);
    }

    private async Task<HttpStatusCode> OpenWebSocketAsync(string connectionToken, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.CollectHttpResponseDetails = true;
        var url = new Uri($"ws://{app.BaseAddress.Authority}/_blazor?id={Uri.EscapeDataString(connectionToken)}");
        try
        {
            await socket.ConnectAsync(url, CancellationToken.None);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException) { }
        return socket.HttpStatusCode;
    }

    /// <summary>Signs in through the /login form as a browser does; the client keeps the session cookie.</summary>
    private async Task<HttpClient> SignedInConsoleAsync(string userName, string password)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseAddress,
        };
        var response = await SignInFormAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    internal static async Task<HttpResponseMessage> SignInFormAsync(HttpClient client, string userName, string password)
    {
        var page = await client.GetStringAsync("/login");
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.UserName"] = userName;
        fields["Input.Password"] = password;
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(fields) };
        return await client.SendAsync(request);
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" */?>""")]
    private static partial Regex HiddenInput();
}
