using System.Text.RegularExpressions;

namespace Cocktail.Web.Session;

/// <summary>
/// The cluster or workspace the page on screen belongs to, for the top bar's switcher. Detail pages say it through
/// their breadcrumbs (the deepest crumb leading to a cluster or a workspace), so it follows every page that has a trail
/// and is forgotten when a page without one opens.
/// </summary>
public sealed partial class ConsolePlace
{
    public sealed record Place(string Kind, Guid Id, string Name)
    {
        public string Href => Kind == "Cluster" ? $"/clusters/{Id}" : $"/workspaces/{Id}";
    }

    private object? _owner;

    public Place? Current { get; private set; }

    public event Action? Changed;

    /// <summary>The place of the page that <paramref name="owner"/> belongs to; null for none.</summary>
    public void Set(object owner, Place? place)
    {
        _owner = owner;
        if (Current == place) return;
        Current = place;
        Changed?.Invoke();
    }

    /// <summary>The owner's page is gone; another page that has since said its place keeps it.</summary>
    public void Leave(object owner)
    {
        if (!ReferenceEquals(_owner, owner)) return;
        _owner = null;
        if (Current is null) return;
        Current = null;
        Changed?.Invoke();
    }

    /// <summary>"/clusters/{id}" or "/workspaces/{id}" (nothing after it): the place a link leads to, if it is one.</summary>
    public static Place? Of(string? href, string name)
    {
        if (href is null || PlaceHref().Match(href) is not { Success: true } m) return null;
        return new Place(m.Groups[1].Value == "clusters" ? "Cluster" : "Workspace", Guid.Parse(m.Groups[2].Value), name);
    }

    [GeneratedRegex("^/(clusters|workspaces)/([0-9a-fA-F-]{36})$")]
    private static partial Regex PlaceHref();
}
