using System.Globalization;
using Cocktail.Application.AccessGrants;
using Cocktail.Domain.Access;
using MudBlazor;

namespace Cocktail.Web.Components.Pages.Access;

/// <summary>How the access pages write roles, scopes, states and spans (times are <see cref="Cocktail.Web.Session.BrowserTime"/>'s: the reader's zone).</summary>
public static class AccessFormat
{
    public static string Role(AccessRole role) => role.ClusterRoleName();

    public static string Scope(AccessScope scope, string? ns) => scope == AccessScope.Cluster ? "whole cluster" : $"namespace {ns}";

    public static bool IsOpen(GrantState state) => state is GrantState.Scheduled or GrantState.Activating or GrantState.Active;

    /// <summary>Flagged when its grantee is warned (<see cref="AccessOptions.WarnAt"/>): never a grant just made.</summary>
    public static bool EndsSoon(AccessGrantItem item, AccessOptions options, DateTimeOffset now) =>
        IsOpen(item.State) && options.EndsSoon(item.Grant.ValidFrom, item.Grant.ValidUntil, now);

    public static Color StateColor(GrantState state) => state switch
    {
        GrantState.Active => Color.Success,
        GrantState.Activating => Color.Info,
        GrantState.Scheduled => Color.Primary,
        GrantState.Revoked => Color.Error,
        _ => Color.Default,
    };

    public static Color RequestColor(AccessRequestState state) => state switch
    {
        AccessRequestState.Approved => Color.Success,
        AccessRequestState.Rejected => Color.Error,
        _ => Color.Info,
    };

    /// <summary>"3 days", "24 h", "5.5 h", "12 min": hours up to two days, as token lifetimes and short grants are thought of.</summary>
    public static string Span(TimeSpan span) =>
        span.TotalHours > 48 ? Invariant($"{span.TotalDays:0.#} days")
        : span.TotalHours >= 1 ? Invariant($"{span.TotalHours:0.#} h")
        : Invariant($"{Math.Max(0, (int)Math.Ceiling(span.TotalMinutes))} min");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
