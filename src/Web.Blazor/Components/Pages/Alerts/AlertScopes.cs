using Cocktail.Application.Workspaces.Listing;
using Cocktail.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Cocktail.Web.Components.Pages.Alerts;

/// <summary>The platform's alerts are for platform admins and auditors: anyone else is taken to their first workspace's page.</summary>
public static class AlertScopes
{
    /// <summary>True when the page may show the platform scope; otherwise it has navigated (or there is nowhere to go).</summary>
    public static async Task<bool> PlatformOrRedirectAsync(Task<AuthenticationState> auth, ConsoleSession session, NavigationManager navigation, string page)
    {
        var user = (await auth).User;
        if (user.IsInRole("PlatformAdmin") || user.IsInRole("Auditor")) return true;
        var workspaces = await session.TrySendAsync(new ListWorkspaces(PageSize: 1));
        if (workspaces?.Items.FirstOrDefault() is { } first) navigation.NavigateTo($"/workspaces/{first.Id}/{page}", replace: true);
        return false;
    }
}
