using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Cocktail.Domain.Users;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;

namespace Cocktail.Web.Hosting;

/// <summary>
/// What faces the browser and the network before any page or API runs: the proxy in front (forwarded headers), the
/// security headers of every answer, the console's WebSocket only from the console's own origin, and a limit on how
/// fast one address may try passwords.
/// </summary>
public static class EdgeSecurity
{
    public const string PublicUrlSetting = "Cocktail:PublicUrl";
    public const string KnownProxiesSetting = "Cocktail:ForwardedHeaders:KnownProxies";
    public const string KnownNetworksSetting = "Cocktail:ForwardedHeaders:KnownNetworks";
    public const string SignInRateLimitSetting = "Cocktail:SignIn:RateLimit";
    public const string SignInRateLimitWindowSetting = "Cocktail:SignIn:RateLimitWindow";
    public const string MetricsAnonymousSetting = "Cocktail:Metrics:Anonymous";
    public const string MetricsScrapeTokenSetting = "Cocktail:Metrics:ScrapeToken";
    public const string MetricsPolicy = "metrics";

    public static IServiceCollection AddEdgeSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in List(configuration[KnownProxiesSetting]))
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new InvalidOperationException($"{KnownProxiesSetting}: '{proxy}' is not an IP address."));
            foreach (var network in List(configuration[KnownNetworksSetting]))
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var range) ? range
                    : throw new InvalidOperationException($"{KnownNetworksSetting}: '{network}' is not an address range (CIDR)."));
        });

        var limit = configuration.GetValue(SignInRateLimitSetting, 20);
        var window = configuration.GetValue(SignInRateLimitWindowSetting, TimeSpan.FromMinutes(1));
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                limit > 0 && IsPasswordAttempt(http.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = TooManyAsync;
        });

        var anonymousMetrics = configuration.GetValue(MetricsAnonymousSetting, false);
        var scrapeToken = configuration[MetricsScrapeTokenSetting];
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, policy => policy.RequireAssertion(context =>
            anonymousMetrics
            || context.User.IsInRole(nameof(PlatformRole.PlatformAdmin)) || context.User.IsInRole(nameof(PlatformRole.Auditor))
            || context.Resource is HttpContext http && PresentsScrapeToken(http, scrapeToken)));
        return services;
    }

    /// <summary>First in the pipeline: the client's real address and scheme, then the headers every answer carries.</summary>
    public static WebApplication UseEdgeSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var publicOrigin = PublicOrigin(app.Configuration[PublicUrlSetting]);
        app.Use(async (http, next) =>
        {
            // Just before the headers go out, so that ours replace what a framework added on the way (Blazor adds its
            // own frame-ancestors 'self').
            http.Response.OnStarting(() =>
            {
                AddSecurityHeaders(http);
                return Task.CompletedTask;
            });
            if ((http.Request.Path.StartsWithSegments("/_blazor") || http.Request.Path.StartsWithSegments(Api.TerminalSessionsEndpoints.SocketPath))
                && !FromOwnOrigin(http, publicOrigin))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await Results.Problem(statusCode: 403, title: "Forbidden",
                    detail: "The console's connection is only accepted from the console's own pages.").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    /// <summary>/metrics: platform admins and auditors, or Prometheus with the scrape token; anonymous only when configured.</summary>
    public static IEndpointConventionBuilder RequireMetricsAccess(this IEndpointConventionBuilder endpoint) =>
        endpoint.RequireAuthorization(MetricsPolicy);

    /// <summary>
    /// The console's pages are Blazor Server with MudBlazor: scripts only from this site, inline styles (MudBlazor sets
    /// them), the circuit's WebSocket to this site, and no framing by anyone.
    /// </summary>
    private static void AddSecurityHeaders(HttpContext http)
    {
        var headers = http.Response.Headers;
        var host = http.Request.Host.Value;
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
            $"connect-src 'self' ws://{host} wss://{host}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
    }

    /// <summary>
    /// A browser always says which page opens a WebSocket (Origin); a page of another site must not drive a signed-in
    /// user's console. Without a configured public URL the console's origin is the address the request came to.
    /// </summary>
    private static bool FromOwnOrigin(HttpContext http, string? publicOrigin)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true; // not a browser: nothing to forge on a user's behalf
        var own = publicOrigin ?? $"{http.Request.Scheme}://{http.Request.Host.Value}";
        return string.Equals(origin.TrimEnd('/'), own, StringComparison.OrdinalIgnoreCase);
    }

    private static string? PublicOrigin(string? publicUrl)
    {
        if (string.IsNullOrWhiteSpace(publicUrl)) return null;
        if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{PublicUrlSetting}: '{publicUrl}' is not an http(s) URL.");
        return uri.GetLeftPart(UriPartial.Authority);
    }

    private static bool IsPasswordAttempt(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        (request.Path.Equals("/login", StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/api/v1/auth/tokens", StringComparison.OrdinalIgnoreCase));

    private static async ValueTask TooManyAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: 429, title: "Too many attempts",
            detail: $"Too many sign-in attempts from this address. Try again in {seconds} seconds.").ExecuteAsync(http);
    }

    private static bool PresentsScrapeToken(HttpContext http, string? scrapeToken)
    {
        if (string.IsNullOrEmpty(scrapeToken)) return false;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(scrapeToken)));
    }

    private static string[] List(string? value) =>
        value?.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
