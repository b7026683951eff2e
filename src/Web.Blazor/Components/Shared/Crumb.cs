namespace Cocktail.Web.Components.Shared;

/// <summary>One step of a <see cref="Breadcrumbs"/> trail: its text and where it leads.</summary>
public sealed record Crumb(string Text, string? Href = null);
