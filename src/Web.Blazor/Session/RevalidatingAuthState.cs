using Cocktail.Application.Common;
using Cocktail.Application.Users.Listing;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Cocktail.Web.Session;

/// <summary>A console tab left open does not outlive its user: deactivation or a role change ends its session within a minute.</summary>
public sealed class RevalidatingAuthState(ILoggerFactory loggers, RequestDispatcher dispatcher)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        if (state.User.UserId() is not { } id) return false;
        // The dispatcher answers only for an active user, as it sees the user now, whatever the cookie says.
        var user = (await dispatcher.SendAsync(new GetUser(id), new Caller(id, null, null), ct)).Value;
        return user is { Active: true } && user.Role.ToString() == state.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value;
    }
}
