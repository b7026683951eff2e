using Cocktail.Application.AccessGrants;
using Cocktail.Application.Common;
using Cocktail.Application.Workspaces.Listing;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Components.Pages.Workspaces;
using Cocktail.Web.Session;
using Microsoft.AspNetCore.Components.Authorization;

namespace Cocktail.Web.Components.Pages.Access;

/// <summary>
/// What the signed-in user may do with grants and requests, by the rules the server applies (AccessGrantAccess):
/// platform admins everything, workspace admins their own service maps, grantees their own grants. Pages offer only
/// what will be accepted; the server checks every command anyway.
/// </summary>
public sealed record AccessRights(Actor Actor, IReadOnlySet<Guid> AdminOf)
{
    public static readonly AccessRights None = new(new Actor(Guid.Empty, "", Domain.Users.PlatformRole.User), new HashSet<Guid>());

    public bool CanGrant => Actor.IsPlatformAdmin || AdminOf.Count > 0;

    public bool Manages(AccessScope scope, Guid? workspaceId) =>
        Actor.IsPlatformAdmin || scope == AccessScope.ServiceMap && workspaceId is { } id && AdminOf.Contains(id);

    public bool CanDecide(AccessRequestView request) => request.State == AccessRequestState.Pending && Manages(request.Scope, request.WorkspaceId);

    public bool CanRevoke(AccessGrantItem item) =>
        AccessFormat.IsOpen(item.State) && (item.Grant.UserId == Actor.UserId || Manages(item.Grant.Scope, item.Grant.WorkspaceId));

    public static async Task<AccessRights> ForAsync(AuthenticationStateProvider auth, ConsoleSession session)
    {
        var actor = await TenancyRights.ActorAsync(auth);
        var workspaces = await session.SendAsync(new ListWorkspaces(PageSize: Paging.MaxPageSize));
        var adminOf = (workspaces.Value?.Items ?? [])
            .Where(w => w.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin)
            .Select(w => w.Id)
            .ToHashSet();
        return new AccessRights(actor, adminOf);
    }
}
