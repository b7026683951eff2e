using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cocktail.Web.Auth;

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Sign-in itself is the /login page's form (static rendering, so it can set the cookie).
        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();

        // The console's idle timer lands here; a cross-site link can at most sign someone out.
        app.MapGet("/account/idle", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login?idle=1");
        }).ExcludeFromDescription();

        // While the user works in the console (one long-lived connection), the page pings this to slide the cookie.
        app.MapGet("/account/keepalive", () => Results.NoContent()).RequireAuthorization().ExcludeFromDescription();
    }
}
