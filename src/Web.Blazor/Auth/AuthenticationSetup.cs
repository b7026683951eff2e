using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Cocktail.Application.Users.Listing;
using Cocktail.Application.Users.SigningIn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cocktail.Web.Auth;

public static class AuthenticationSetup
{
    private const string Selector = "cocktail";

    /// <summary>Cookies for the console, bearer API tokens for automation; the header decides which.</summary>
    public static IServiceCollection AddCocktailAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var signIn = configuration.GetSection(SignInOptions.Section).Get<SignInOptions>() ?? new SignInOptions();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Selector;
                o.DefaultChallengeScheme = Selector;
            })
            .AddPolicyScheme(Selector, "Cookie or API token", o => o.ForwardDefaultSelector = http =>
                TakesTokensOnly(http.Request)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "cocktail.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/forbidden";
                o.ExpireTimeSpan = signIn.IdleTimeout;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ApiOr(ctx, StatusCodes.Status401Unauthorized, "Sign in or send an API token.");
                o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx, StatusCodes.Status403Forbidden, "You are not allowed to do this.");
                o.Events.OnValidatePrincipal = RejectInactiveUsers;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>
    /// The console's cookie is for the console. The API takes it only to read (the console's download links: a
    /// kubeconfig, an audit export), which SameSite=Strict and the same-origin policy keep to the console's own pages;
    /// anything that changes state needs an API token, which a forged cross-site request cannot carry. /metrics is
    /// for scrapers: a token or nothing.
    /// </summary>
    internal static bool TakesTokensOnly(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/metrics")
        || request.Path.StartsWithSegments("/api") && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));

    private static Task ApiOr(RedirectContext<CookieAuthenticationOptions> ctx, int status, string detail)
    {
        if (!ctx.Request.Path.StartsWithSegments("/api")) 
        {
            ctx.Response.Redirect(ctx.RedirectUri);
            return Task.CompletedTask;
        }
        return ApiProblems.WriteAsync(ctx.HttpContext, status, status == 401 ? "Unauthorized" : "Forbidden", detail);
    }

    /// <summary>A deactivated user's cookie stops working on its next request, not when it expires.</summary>
    private static async Task RejectInactiveUsers(CookieValidatePrincipalContext ctx)
    {
        if (ctx.Principal?.UserId() is not { } id) return;
        var dispatcher = ctx.HttpContext.RequestServices.GetRequiredService<RequestDispatcher>();
        var user = (await dispatcher.SendAsync(new GetUser(id), new Caller(id, null, null), ctx.HttpContext.RequestAborted)).Value;
        if (user is { Active: true }) return;
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
