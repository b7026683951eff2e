using Cocktail.Application.Users;
using Cocktail.Web.Auth;
using Marten;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Cocktail.Web.Session;

/// <summary>A console tab left open does not outlive its user: deactivation or a role change ends its session within a minute.</summary>
public sealed class RevalidatingAuthState(ILoggerFactory loggers, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        if (state.User.UserId() is not { } id) return false;
        await using var scope = scopes.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IQuerySession>().LoadAsync<UserView>(id, ct);
        return user is { Active: true } && user.Role.ToString() == state.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value;
    }
}
