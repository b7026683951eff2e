using System.Security.Claims;
using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Users;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace Cocktail.Web.Components.Pages.Workspaces;

/// <summary>
/// What the signed-in user may do in a workspace, by the same rules the server applies (TenancyAccess), so pages
/// offer only what will be accepted. The server checks every command anyway.
/// </summary>
public sealed record TenancyRights(bool IsPlatformAdmin, bool CanManage, bool CanDeploy)
{
    public static readonly TenancyRights None = new(false, false, false);

    public static async Task<TenancyRights> ForAsync(AuthenticationStateProvider auth, WorkspaceView workspace)
    {
        var actor = await ActorAsync(auth);
        return new TenancyRights(actor.IsPlatformAdmin, TenancyAccess.CanManage(actor, workspace), TenancyAccess.CanDeploy(actor, workspace));
    }

    public static async Task<Actor> ActorAsync(AuthenticationStateProvider auth)
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        var role = Enum.TryParse<PlatformRole>(user.FindFirstValue(ClaimTypes.Role), out var r) ? r : PlatformRole.User;
        return new Actor(user.UserId() ?? Guid.Empty, user.Identity?.Name ?? "", role);
    }
}
